/**
 * A run replayed from the response cache, through the CLI: its answers
 * stream in the chunks the live answers arrived in, its event log equals the
 * live run's except for what marks answers cached (and ids and times), and
 * `--replay-pace` replays them at the live answers' pace.
 */
import assert from "node:assert/strict";
import { runCli, temporaryHome } from "./cli_harness.ts";

/** One JSON line of `writeit run --json`, read loosely. */
// deno-lint-ignore no-explicit-any
type Line = Record<string, any>;

async function jsonRun(home: string, extra: string[] = []): Promise<Line[]> {
  const result = await runCli(
    [
      "run",
      "quick-article",
      "--yes",
      "--model",
      "offline",
      "--input",
      "topic=Tea gardens of Darjeeling",
      "--json",
      ...extra,
    ],
    { home, env: { WRITEIT_OFFLINE_CHUNK_DELAY_MS: "4" } },
  );
  assert.equal(result.code, 0, result.stderr);
  return result.stdout.trim().split("\n").map((line) => JSON.parse(line));
}

function chunksOf(lines: Line[]): string[] {
  return lines.filter((line) => line.type === "chunk").map((line) =>
    `${line.stepId}#${line.candidateIndex}:${line.text}`
  );
}

function responsesOf(lines: Line[]): Line[] {
  return lines.filter((line) =>
    line.type === "event" && line.event.type === "step_response_generated"
  )
    .map((line) => line.event.data.response);
}

/** The event log with what differs between two runs of the same work left out. */
function logShape(lines: Line[]): unknown[] {
  const varying = new Set([
    "id",
    "runId",
    "time",
    "responseId",
    "createdAt",
    "processingTime",
    "cached",
    "correlationId",
    "causationId",
  ]);
  const strip = (value: unknown): unknown => {
    if (Array.isArray(value)) return value.map(strip);
    if (value && typeof value === "object") {
      return Object.fromEntries(
        Object.entries(value).filter(([key]) => !varying.has(key)).map((
          [key, item],
        ) => [key, strip(item)]),
      );
    }
    return value;
  };
  return lines.filter((line) => line.type === "event").map((line) => strip(line.event));
}

const seconds = (responses: Line[]) =>
  responses.reduce((sum, response) => sum + Number(response.processingTime ?? 0), 0);

Deno.test("A cached re-run streams the live chunks and logs the same events; --replay-pace keeps the live timing", async () => {
  await using home = await temporaryHome();
  const live = await jsonRun(home.path);
  const replay = await jsonRun(home.path);
  const paced = await jsonRun(home.path, ["--replay-pace"]);

  assert.ok(responsesOf(live).every((response) => response.cached === false));
  assert.ok(responsesOf(replay).every((response) => response.cached === true));
  assert.ok(responsesOf(paced).every((response) => response.cached === true));

  const liveChunks = chunksOf(live);
  assert.ok(liveChunks.length > 100, `${liveChunks.length} live chunks`);
  assert.deepEqual(chunksOf(replay), liveChunks, "the same chunk boundaries, in the same order");
  assert.deepEqual(chunksOf(paced), liveChunks);

  assert.deepEqual(logShape(replay), logShape(live));

  const liveSeconds = seconds(responsesOf(live));
  const replaySeconds = seconds(responsesOf(replay));
  const pacedSeconds = seconds(responsesOf(paced));
  console.log(
    `generation time: live ${liveSeconds.toFixed(2)} s, replay ${
      replaySeconds.toFixed(2)
    } s, paced ${pacedSeconds.toFixed(2)} s`,
  );
  assert.ok(replaySeconds < liveSeconds / 4, "a plain replay arrives at once");
  assert.ok(
    pacedSeconds > liveSeconds * 0.7,
    "a paced replay takes about as long as the live answers",
  );
});

Deno.test("--replay-pace with --server says to set it on the server", async () => {
  await using home = await temporaryHome();
  const result = await runCli(
    ["--server", "http://127.0.0.1:9", "run", "quick-article", "--yes", "--replay-pace"],
    { home: home.path },
  );
  assert.equal(result.code, 2);
  assert.match(
    result.stderr,
    /--replay-pace sets this machine's cache; with --server set cache\.replay_pace on the server/,
  );
});
