/**
 * Ctrl-C (SIGINT) during a streaming step: the CLI stops cleanly with exit
 * code 130, the run is paused with its finished candidates, and `writeit
 * resume` completes it.
 */
import assert from "node:assert/strict";
import { runCli, spawnCli, temporaryHome } from "./cli_harness.ts";

Deno.test("writeit run stops on SIGINT with exit 130, leaving the run paused and resumable", async () => {
  await using home = await temporaryHome();
  const child = spawnCli(
    [
      "run",
      "quick-article",
      "--input",
      "topic=Interrupts",
      "--model",
      "offline",
      "--yes",
      "--json",
    ],
    { home: home.path, env: { WRITEIT_OFFLINE_CHUNK_DELAY_MS: "4" } },
  );
  const decoder = new TextDecoder();
  const reader = child.stdout.getReader();
  let output = "";
  let runId: string | undefined;
  let interrupted = false;
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    const { value, done } = await reader.read();
    if (done) break;
    output += decoder.decode(value, { stream: true });
    runId ??= /"runId":"([0-9a-f-]{36})"/.exec(output)?.[1];
    // Interrupt partway through the second step: the first step's candidate is recorded by then.
    const writeChunks = output.match(/"type":"chunk"[^\n]*"stepId":"write"/g) ?? [];
    if (!interrupted && writeChunks.length >= 10) {
      child.kill("SIGINT");
      interrupted = true;
    }
  }
  await reader.cancel().catch(() => {});
  const status = await child.status;
  const stderr = decoder.decode(await new Response(child.stderr).arrayBuffer());
  assert.ok(interrupted && runId, "interrupted while streaming");
  assert.equal(status.code, 130, stderr);
  // With --json, stdout stays JSON: the last line says why the run stopped.
  const last = JSON.parse(output.trim().split("\n").at(-1)!);
  assert.equal(last.error.code, "cancelled");
  assert.match(last.error.message, new RegExp(`Stopped\\. Run ${runId} is paused`));

  const shown = JSON.parse(
    (await runCli(["runs", "show", runId, "--json"], { home: home.path })).stdout,
  );
  const paused = shown.run ?? shown;
  assert.equal(paused.status, "paused");
  // Every candidate the stream reported as recorded before the interrupt is still there.
  const recorded = [
    ...output.matchAll(/"type":"step_response_generated".*?"responseId":"([0-9a-f-]{36})"/g),
  ].map((match) => match[1]);
  assert.ok(recorded.length >= 1, "a candidate was recorded before the interrupt");
  const kept = Object.values(
    paused.steps as Record<string, { responses: { responseId: string }[] }>,
  )
    .flatMap((step) => step.responses.map((response) => response.responseId));
  for (const id of recorded) assert.ok(kept.includes(id), `candidate ${id} was kept`);
  const resumed = await runCli(["resume", runId, "--yes"], { home: home.path });
  assert.equal(resumed.code, 0, resumed.stderr);
  assert.match(resumed.stdout + resumed.stderr, /completed/);
});

Deno.test("writeit run on SIGINT says how to resume, without calling it an error, and exits 130", async () => {
  await using home = await temporaryHome();
  const child = spawnCli(
    ["run", "quick-article", "--input", "topic=Interrupts", "--model", "offline", "--yes"],
    { home: home.path, env: { WRITEIT_OFFLINE_CHUNK_DELAY_MS: "4" } },
  );
  const decoder = new TextDecoder();
  // Progress goes to stderr when stdout is not a terminal: watch it there.
  const reader = child.stderr.getReader();
  let stderr = "";
  let interrupted = false;
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    const { value, done } = await reader.read();
    if (done) break;
    stderr += decoder.decode(value, { stream: true });
    if (!interrupted && stderr.includes("Step 2/3")) {
      child.kill("SIGINT");
      interrupted = true;
    }
  }
  const status = await child.status;
  await child.stdout.cancel();
  assert.ok(interrupted, stderr);
  assert.equal(status.code, 130, stderr);
  assert.match(stderr, /Stopped\. Run [0-9a-f-]{36} is paused .*writeit resume [0-9a-f-]{36}/);
  assert.doesNotMatch(stderr, /error:/);
});
