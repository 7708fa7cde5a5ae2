/**
 * What every implementation of the run session port must do, for two
 * people on one run (two sessions with different actors): both draw the
 * same run; what one decides reaches the other as a notice and a new state;
 * an action decided on an older version is refused with `stale_action` and
 * changes nothing; allowed actions come with reasons; the run goes on after
 * a pick and stops at the next choice.
 */
import assert from "node:assert/strict";
import { WriteItError } from "../../engine/errors.ts";
import { allowedActions } from "../../engine/run_session.ts";
import type { RunSession } from "../../engine/run_session.ts";
import type { RunSessionPort } from "../../engine/run_session_port.ts";

/** Two sessions on one run whose first step ("plan") waits with 2 candidates. */
export interface SessionPair extends AsyncDisposable {
  first: RunSessionPort;
  second: RunSessionPort;
  /** How the second session's actor is named in notices ("from the dashboard"). */
  secondPhrase: string;
  firstPhrase: string;
}

/** Waits until `test` holds for `port`'s session. */
export function until(
  port: RunSessionPort,
  test: (session: RunSession) => boolean,
  what: string,
  timeoutMs = 15_000,
): Promise<RunSession> {
  if (test(port.current())) return Promise.resolve(port.current());
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      stop();
      reject(new Error(`Timed out waiting for ${what}: ${JSON.stringify(port.current().notices)}`));
    }, timeoutMs);
    const stop = port.subscribe((session) => {
      if (!test(session)) return;
      clearTimeout(timer);
      stop();
      resolve(session);
    });
  });
}

/** Registers the contract's tests for one implementation. */
export function runSessionContract(name: string, open: () => Promise<SessionPair>): void {
  Deno.test(`${name}: two sessions on one run see each other's decisions and refuse stale ones`, async () => {
    await using pair = await open();
    const { first, second } = pair;
    const seen = first.current().run;
    assert.equal(seen.steps.plan.status, "awaiting_selection");
    assert.equal(second.current().run.version, seen.version);

    const allowed = allowedActions(seen);
    assert.deepEqual(allowed.select, { allowed: true });
    assert.deepEqual(allowed.feedback, { allowed: true });
    assert.deepEqual(allowed.rewind, { allowed: true });
    assert.equal(allowed.resume.allowed, false);
    assert.match((allowed.resume as { why: string }).why, /it is running/);

    // The second person picks candidate 2; the first is told, and the run goes on to "write".
    await second.act({ action: "select", stepId: "plan", index: 1 });
    const told = await until(
      first,
      (session) => session.notices.some((notice) => notice.startsWith("plan: candidate 2")),
      "the notice of the other pick",
    );
    assert.ok(
      told.notices.includes(`plan: candidate 2 was picked ${pair.secondPhrase}`),
      told.notices.join(" | "),
    );
    assert.deepEqual(second.current().notices, [], "no notice of one's own decision");

    // The first person still acts on what they saw: refused, nothing written.
    const refused = await first.act({
      action: "select",
      stepId: "plan",
      index: 0,
      basedOn: seen.version,
    }).then(() => undefined, (error) => error);
    assert.ok(refused instanceof WriteItError, String(refused));
    assert.equal(refused.code, "stale_action");
    assert.match(refused.message, /plan: candidate 2 was picked/);

    const atWrite = await until(
      first,
      (session) => session.run.steps.write?.status === "awaiting_selection" && !session.driving,
      "the write step's candidates",
    );
    assert.equal(
      atWrite.run.steps.plan.selectedText,
      seen.steps.plan.responses[1].processedContent,
    );
    await until(
      second,
      (session) => session.run.version === atWrite.run.version,
      "the second session catching up",
    );
    assert.deepEqual(allowedActions(atWrite.run, "plan").edit, { allowed: true });

    // The first person acts on the current version: it goes, and the second is told.
    await first.act({ action: "feedback", stepId: "write", text: "Shorter", regenerate: false });
    const second_told = await until(
      second,
      (session) => session.notices.some((notice) => notice.startsWith("write: feedback")),
      "the notice of the feedback",
    );
    assert.ok(
      second_told.notices.includes(`write: feedback was given ${pair.firstPhrase}`),
      second_told.notices.join(" | "),
    );
  });
}
