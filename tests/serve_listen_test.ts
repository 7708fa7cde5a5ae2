/**
 * `writeit serve` where it listens, as a subprocess: a busy port is refused
 * with a message naming the port and `--port`, and any 127.0.0.0/8 address
 * is loopback (served without a token, answering its own Host header).
 */
import assert from "node:assert/strict";
import { isLoopback } from "../serve.ts";
import { runCli, spawnCli, temporaryHome } from "./cli_harness.ts";

Deno.test("writeit serve on a busy port names the port and --port, and exits 1", async () => {
  await using home = await temporaryHome();
  const busy = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  try {
    const port = (busy.addr as Deno.NetAddr).port;
    const result = await runCli(["serve", "--port", String(port)], { home: home.path });
    assert.equal(result.code, 1);
    assert.match(
      result.stderr,
      new RegExp(
        `Cannot listen on 127\\.0\\.0\\.1:${port}: another program is using port ${port}\\. .*--port`,
      ),
    );
    assert.doesNotMatch(result.stderr, /unexpected failure|os error/);
  } finally {
    busy.close();
  }
});

Deno.test("writeit serve --host 127.0.0.2 is loopback: no token needed, and it answers there", async () => {
  await using home = await temporaryHome();
  const child = spawnCli(["serve", "--host", "127.0.0.2", "--port", "0"], { home: home.path });
  const reader = child.stdout.pipeThrough(new TextDecoderStream()).getReader();
  let buffered = "";
  let url: string | undefined;
  try {
    while (!url) {
      const { value, done } = await reader.read();
      if (done) throw new Error(`The server exited: ${await new Response(child.stderr).text()}`);
      buffered += value;
      for (const line of buffered.split("\n")) {
        if (line.startsWith("{") && line.includes('"url"')) url = JSON.parse(line).url;
      }
    }
    assert.match(url, /^http:\/\/127\.0\.0\.2:\d+$/);
    const health = await fetch(`${url}/api/health`);
    assert.equal(health.status, 200, "its own Host header is allowed");
    assert.equal((await health.json()).status, "ok");
  } finally {
    child.kill("SIGTERM");
    await child.status;
    await reader.cancel().catch(() => {});
    await child.stderr.cancel().catch(() => {});
  }
});

Deno.test("isLoopback() takes 127.0.0.0/8, ::1 and localhost, nothing else", () => {
  for (const host of ["127.0.0.1", "127.0.0.2", "127.255.255.254", "::1", "[::1]", "localhost"]) {
    assert.ok(isLoopback(host), host);
  }
  for (const host of ["0.0.0.0", "128.0.0.1", "127.0.0.256", "10.0.0.1", "::", "example.com"]) {
    assert.ok(!isLoopback(host), host);
  }
});

Deno.test("serve() writes log lines from its level up: --log-level, WRITEIT_LOG_LEVEL, server.log_level", async () => {
  await using home = await temporaryHome();
  const { serve } = await import("../serve.ts");
  const levelsAt = async (
    options: { logLevel?: "debug" | "warn"; env?: Record<string, string> },
  ) => {
    const lines: Array<{ level: string; message: string }> = [];
    const server = await serve({
      home: home.path,
      host: "127.0.0.1",
      port: 0,
      env: { HOME: home.path, WRITEIT_HOME: home.path, ...options.env },
      logLevel: options.logLevel,
      log: (line) => lines.push(JSON.parse(line)),
    });
    await (await fetch(`${server.url}/api/health`)).body?.cancel();
    await server.shutdown();
    return lines;
  };
  const normal = await levelsAt({});
  assert.ok(normal.some((line) => line.level === "info" && /serving on/.test(line.message)));
  assert.ok(normal.every((line) => line.level !== "debug"));
  const quiet = await levelsAt({ logLevel: "warn" });
  assert.deepEqual(quiet.filter((line) => line.level === "info"), [], "no request lines at warn");
  const fromEnv = await levelsAt({ env: { WRITEIT_LOG_LEVEL: "error" } });
  assert.deepEqual(fromEnv, []);
  const refused = await runCli(["serve", "--log-level", "loud"], { home: home.path });
  assert.equal(refused.code, 2);
  assert.match(refused.stderr, /--log-level must be one of debug, info, warn, error, not "loud"/);
});
