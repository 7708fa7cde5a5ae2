/**
 * Crash safety of the LMDB event store: a child process
 * (tests/fixtures/crash_writer.ts) appends to several runs and reports every
 * acknowledged append; it is killed with SIGKILL at a random moment, 100
 * times over one workspace. After each kill the store must open cleanly,
 * hold every acknowledged event, hold no half-written append, and its
 * projections must agree with a replay of the events.
 */
import assert from "node:assert/strict";
import { createRunEvent } from "./contracts/backend_contract.ts";
import { summarizeRun } from "../engine/events/event_store.ts";
import { foldEvents, initialState } from "../engine/run_evolve.ts";
import { openLmdbEventStore } from "../storage/lmdb/lmdb_event_store.ts";
import { projectStep } from "../storage/lmdb/run_projections.ts";

const KILLS = 100;
const RUNS = 6;
const writer = new URL("./fixtures/crash_writer.ts", import.meta.url).pathname;

/**
 * Starts the writer and kills it `delayMs` after its first acknowledged
 * append (or, with `early`, after it opened the store, so that some kills
 * land during start-up); returns the acknowledged heads.
 */
async function runAndKill(
  directory: string,
  delayMs: number,
  early: boolean,
): Promise<Map<string, number>> {
  const child = new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", writer, directory, String(RUNS)],
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  const acked = new Map<string, number>();
  const decoder = new TextDecoder();
  let buffer = "";
  let killed = false;
  let timer: ReturnType<typeof setTimeout> | undefined;
  const stderr = new Response(child.stderr).text();
  for await (const chunk of child.stdout) {
    buffer += decoder.decode(chunk, { stream: true });
    const lines = buffer.split("\n");
    buffer = lines.pop()!;
    for (const line of lines) {
      const trigger = early ? line === "ready" : line.startsWith("ack ");
      if (trigger && !timer) {
        timer = setTimeout(() => {
          killed = true;
          child.kill("SIGKILL");
        }, delayMs);
      }
      const [word, runId, , last] = line.split(" ");
      if (word === "ack") acked.set(runId, Math.max(acked.get(runId) ?? 0, Number(last)));
    }
  }
  const status = await child.status;
  clearTimeout(timer);
  const errors = await stderr;
  assert.ok(killed, `the writer exited by itself (code ${status.code}): ${errors}`);
  assert.equal(status.signal, "SIGKILL", errors);
  return acked;
}

async function verify(directory: string, acked: Map<string, number>): Promise<number> {
  const store = openLmdbEventStore(directory);
  try {
    let total = 0;
    for (let index = 0; index < RUNS; index++) {
      const runId = `run-${index}`;
      const head = store.head(runId);
      if (!head) {
        assert.equal(acked.get(runId), undefined, `${runId} was acknowledged but is missing`);
        continue;
      }
      const events = await store.read(runId);
      total += events.length;
      assert.deepEqual(
        events.map((event) => event.sequence),
        Array.from({ length: head.head }, (_, i) => i + 1),
        `${runId} has gaps`,
      );
      assert.ok(
        head.head >= (acked.get(runId) ?? 0),
        `${runId} lost acknowledged events: head ${head.head} < ${acked.get(runId)}`,
      );
      const groups = new Map<string, number[]>();
      for (const event of events.slice(1)) {
        const id = event.metadata.correlationId;
        groups.set(id, [...(groups.get(id) ?? []), event.sequence]);
      }
      for (const [id, sequences] of groups) {
        const [tag, size] = id.split("/");
        assert.equal(sequences.length, Number(size), `append ${tag} is half-written`);
        assert.equal(`${runId}:${sequences[0]}`, tag);
      }
      const replayed = foldEvents(initialState(runId), events);
      assert.deepEqual(await store.loadRun(runId), replayed);
      assert.deepEqual(store.projections.runs.get(runId), summarizeRun(replayed));
      for (const step of Object.values(replayed.steps)) {
        assert.deepEqual(store.projections.steps.get([runId, step.stepId]), projectStep(step));
      }
      for (const response of replayed.steps.angles.responses) {
        assert.equal(store.projections.responses.get(response.responseId)?.runId, runId);
      }
    }
    return total;
  } finally {
    await store.close();
  }
}

Deno.test("LmdbEventStore survives SIGKILL at random moments without losing or tearing appends", async () => {
  const directory = await Deno.makeTempDir({ prefix: "writeit-crash-" });
  try {
    let grew = 0;
    let previous = 0;
    for (let round = 0; round < KILLS; round++) {
      const delay = 5 + Math.floor(Math.random() * 56);
      const early = round % 5 === 0;
      const acked = await runAndKill(directory, delay, early);
      const total = await verify(directory, acked);
      if (total > previous && !early) grew++;
      previous = total;
    }
    assert.equal(grew, KILLS - KILLS / 5, "every round killed after an ack made progress");
  } finally {
    await Deno.remove(directory, { recursive: true });
  }
});

Deno.test("LmdbEventStore lets two processes append to one run without losing or duplicating a write", async () => {
  const directory = await Deno.makeTempDir({ prefix: "writeit-contend-" });
  try {
    const store = openLmdbEventStore(directory);
    await store.append("contended", [createRunEvent()], { expectedVersion: 0 });
    await store.close();
    const count = 150;
    const outputs = await Promise.all(["a", "b"].map((name) =>
      new Deno.Command(Deno.execPath(), {
        args: ["run", "-A", writer, directory, "contend", name, String(count)],
        stdout: "piped",
        stderr: "piped",
      }).output()
    ));
    for (const output of outputs) {
      assert.equal(output.code, 0, new TextDecoder().decode(output.stderr));
    }
    const reopened = openLmdbEventStore(directory);
    try {
      const events = await reopened.read("contended");
      assert.deepEqual(
        events.map((event) => event.sequence),
        Array.from({ length: 1 + 2 * count }, (_, index) => index + 1),
      );
      const notes = (await reopened.loadRun("contended")).steps.angles.feedback.map((f) => f.text);
      for (const name of ["a", "b"]) {
        const mine = notes.filter((text) => text.startsWith(`${name}:`));
        assert.deepEqual(mine, Array.from({ length: count }, (_, index) => `${name}:${index}`));
      }
    } finally {
      await reopened.close();
    }
  } finally {
    await Deno.remove(directory, { recursive: true });
  }
});
