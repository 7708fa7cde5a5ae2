/**
 * Crash safety through the real CLI: a `writeit run` killed with SIGKILL in
 * the middle of a streaming step is finished by `writeit resume RUN --yes`
 * with every candidate that was recorded before the kill kept, the
 * interrupted generation completed, and no duplicate or missing events.
 */
import assert from "node:assert/strict";
import { runCli, spawnCli, temporaryHome } from "./cli_harness.ts";

interface Update {
  type: string;
  runId?: string;
  stepId?: string;
  event?: { type: string; data: { stepId?: string; response?: { responseId: string } } };
}

Deno.test("writeit resume --yes finishes a run killed mid-stream with no lost candidates and no duplicate events", async () => {
  await using home = await temporaryHome();
  const child = spawnCli(
    [
      "run",
      "quick-article",
      "--input",
      "topic=Crash safety",
      "--model",
      "offline",
      "--yes",
      "--json",
    ]
      .concat(["-n", "2"]),
    { home: home.path, env: { WRITEIT_OFFLINE_CHUNK_DELAY_MS: "4" } },
  );
  const before: Update[] = [];
  let buffer = "";
  const decoder = new TextDecoder();
  const reader = child.stdout.getReader();
  const deadline = Date.now() + 60_000;
  let killed = false;
  while (!killed && Date.now() < deadline) {
    const { value, done } = await reader.read();
    if (done) break;
    buffer += decoder.decode(value, { stream: true });
    let newline;
    while ((newline = buffer.indexOf("\n")) >= 0) {
      const update = JSON.parse(buffer.slice(0, newline)) as Update;
      buffer = buffer.slice(newline + 1);
      before.push(update);
      // Kill once the second step has streamed a little: its generation is mid-flight.
      const writeChunks = before.filter((u) => u.type === "chunk" && u.stepId === "write").length;
      if (!killed && writeChunks >= 20) {
        child.kill("SIGKILL");
        killed = true;
        break;
      }
    }
  }
  await reader.cancel().catch(() => {});
  const status = await child.status;
  await child.stderr.cancel();
  assert.ok(killed, "the run was killed while streaming the second step");
  assert.equal(status.signal, "SIGKILL");
  const runId = before.find((update) => update.runId)?.runId;
  assert.ok(runId);
  const recorded = before
    .filter((update) => update.type === "event" && update.event?.type === "step_response_generated")
    .map((update) => update.event!.data.response!.responseId);
  assert.ok(recorded.length >= 2, "the first step's candidates were recorded before the kill");
  assert.ok(
    !before.some((update) => update.type === "event" && update.event?.type === "run_completed"),
    "the run did not finish before the kill",
  );

  const resumed = await runCli(["resume", runId, "--yes"], { home: home.path });
  assert.equal(resumed.code, 0, resumed.stderr);
  assert.match(resumed.stdout, /completed/);

  const exported = await runCli(["export", runId, "--format", "json"], { home: home.path });
  assert.equal(exported.code, 0, exported.stderr);
  const { run, events } = JSON.parse(exported.stdout);
  assert.equal(run.status, "completed");
  const responses: {
    responseId: string;
    generation: number;
    candidateIndex: number;
    modelName: string;
  }[] = Object.values(run.steps as Record<string, { responses: typeof responses }>).flatMap((
    step,
  ) => step.responses);
  const ids = responses.map((response) => response.responseId);
  for (const id of recorded) {
    assert.ok(ids.includes(id), `candidate ${id} recorded before the kill is kept`);
  }
  assert.equal(new Set(ids).size, ids.length, "no candidate is recorded twice");
  for (const stepId of run.stepOrder as string[]) {
    const step = run.steps[stepId];
    const keys = step.responses
      .filter((response: { generation: number }) => response.generation === step.generation)
      .map((response: { modelName: string; candidateIndex: number }) =>
        `${response.modelName}#${response.candidateIndex}`
      );
    assert.equal(new Set(keys).size, keys.length, `${stepId}: one candidate per slot`);
    assert.equal(keys.length, 2, `${stepId}: both candidates of the final generation are there`);
  }
  const sequences = events.list.map((event: { sequence: number }) => event.sequence);
  assert.deepEqual(
    sequences,
    sequences.map((_: number, index: number) => index + 1),
    "gapless sequence",
  );
  const eventIds = events.list.map((event: { id: string }) => event.id);
  assert.equal(new Set(eventIds).size, eventIds.length, "no event stored twice");
  assert.equal(events.byType.run_created, 1);
  assert.equal(events.byType.run_completed, 1);
  assert.equal(events.byType.step_completed, 3);
});
