/**
 * The default loopback server (no token) against browser-style attacks over
 * real sockets: a rebinding `Host` is refused with 421, a foreign `Origin`
 * with 403 on reads, posts and WebSocket upgrades, while same-origin and
 * origin-less clients pass; the workspace database and config files are
 * owner-only.
 */
import assert from "node:assert/strict";
import { statSync } from "node:fs";
import { join } from "node:path";
import { writeConfigValue } from "../config.ts";
import { serve } from "../serve.ts";
import { temporaryHome } from "./cli_harness.ts";

/** Sends raw request text and returns the response's first bytes (or "" when closed). */
async function raw(port: number, text: string): Promise<string> {
  const connection = await Deno.connect({ hostname: "127.0.0.1", port });
  try {
    await connection.write(new TextEncoder().encode(text));
    const buffer = new Uint8Array(4096);
    const read = await connection.read(buffer);
    return read === null ? "" : new TextDecoder().decode(buffer.subarray(0, read));
  } finally {
    connection.close();
  }
}

/** Sends raw request text and returns every byte received within `waitMs`. */
async function rawAll(port: number, text: string, waitMs = 500): Promise<string> {
  const connection = await Deno.connect({ hostname: "127.0.0.1", port });
  const timer = setTimeout(() => connection.close(), waitMs);
  let received = "";
  try {
    await connection.write(new TextEncoder().encode(text));
    const buffer = new Uint8Array(4096);
    while (true) {
      const read = await connection.read(buffer).catch(() => null);
      if (read === null) break;
      received += new TextDecoder().decode(buffer.subarray(0, read));
    }
  } finally {
    clearTimeout(timer);
    try {
      connection.close();
    } catch { /* closed by the timer */ }
  }
  return received;
}

function upgrade(port: number, headers: string): string {
  return `GET /ws/run-none HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n${headers}\r\n`;
}

Deno.test("the loopback server refuses rebinding hosts and foreign origins", async () => {
  await using temporary = await temporaryHome();
  const home = temporary.path;
  const server = await serve({ home, port: 0, log: () => {} });
  const { port } = server;
  try {
    const runs = `${server.url}/api/runs`;
    const plain = await fetch(runs);
    assert.equal(plain.status, 200);
    await plain.body?.cancel();

    assert.match(
      await raw(port, `GET /api/runs HTTP/1.1\r\nHost: attacker.example:${port}\r\n\r\n`),
      / 421 /,
    );
    assert.match(
      await raw(port, `GET /api/runs HTTP/1.1\r\nHost: localhost:${port}\r\n\r\n`),
      / 200 /,
    );
    const refused = await raw(
      port,
      `GET /api/runs HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nOrigin: http://evil.example\r\n\r\n`,
    );
    assert.match(refused, / 403 /);
    assert.match(
      await raw(
        port,
        `GET /api/runs HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nOrigin: http://127.0.0.1:${port}\r\n\r\n`,
      ),
      / 200 /,
    );

    const post = await fetch(runs, {
      method: "POST",
      headers: { origin: "http://evil.example", "content-type": "text/plain" },
      body: '{"pipeline":"quick-article"}',
    });
    assert.equal(post.status, 403);
    const problem = await post.json();
    assert.match(
      problem.detail ?? problem.title ?? JSON.stringify(problem),
      /server\.cors_origins/,
    );

    const rebound = await raw(port, `GET /api/runs HTTP/1.1\r\nHost: evil.test:${port}\r\n\r\n`);
    assert.match(rebound, /^HTTP\/1\.1 421/);
    assert.match(rebound, /server\.allowed_hosts/);

    assert.match(await raw(port, upgrade(port, "Origin: http://evil.example\r\n")), / 403 /);
    assert.match(await raw(port, upgrade(port, "")), /HTTP\/1\.1 (101|4\d\d)/);
    assert.doesNotMatch(await raw(port, upgrade(port, "")), / 403 /);

    const runsAfter = await (await fetch(runs)).json();
    assert.equal(JSON.stringify(runsAfter).includes("quick-article"), false);
  } finally {
    await server.shutdown();
  }
});

Deno.test("configured allowed hosts are served", async () => {
  await using temporary = await temporaryHome();
  const home = temporary.path;
  const server = await serve({
    home,
    port: 0,
    log: () => {},
    env: { WRITEIT_ALLOWED_HOSTS: "writeit.internal" },
  });
  try {
    const port = server.port;
    assert.match(
      await raw(port, `GET /api/health HTTP/1.1\r\nHost: writeit.internal:${port}\r\n\r\n`),
      /^HTTP\/1\.1 200/,
    );
    assert.match(
      await raw(port, `GET /api/health HTTP/1.1\r\nHost: other.internal:${port}\r\n\r\n`),
      /^HTTP\/1\.1 421/,
    );
  } finally {
    await server.shutdown();
  }
});

Deno.test("workspace data is owner-only: folders 0700, LMDB files and config.yaml 0600", async () => {
  await using temporary = await temporaryHome();
  const home = temporary.path;
  const server = await serve({ home, port: 0, log: () => {} });
  try {
    const response = await fetch(`${server.url}/api/runs`);
    await response.body?.cancel();
  } finally {
    await server.shutdown();
  }
  const found: string[] = [];
  const walk = (directory: string) => {
    for (const entry of Deno.readDirSync(directory)) {
      const path = join(directory, entry.name);
      if (entry.isDirectory) walk(path);
      else if (entry.name.endsWith(".mdb")) found.push(path);
    }
  };
  walk(home);
  assert.ok(found.length > 0, `no LMDB files under ${home}`);
  for (const path of found) {
    assert.equal(statSync(path).mode & 0o777, 0o600, path);
    assert.equal(statSync(join(path, "..")).mode & 0o777, 0o700, path);
  }
  const config = join(home, "config.yaml");
  writeConfigValue(config, "server.port", 9000);
  assert.equal(statSync(config).mode & 0o777, 0o600);
});

Deno.test("the WebSocket takes the bearer scheme in any case, like REST", async () => {
  await using temporary = await temporaryHome();
  const token = "t".repeat(40);
  const server = await serve({ home: temporary.path, port: 0, log: () => {}, token });
  try {
    const lower = await rawAll(
      server.port,
      upgrade(server.port, `Authorization: bearer ${token}\r\n`),
    );
    assert.doesNotMatch(lower, /http-401/);
    const wrong = await rawAll(server.port, upgrade(server.port, `Authorization: bearer nope\r\n`));
    assert.match(wrong, /http-401/);
  } finally {
    await server.shutdown();
  }
});

Deno.test("writeit serve closes half-sent and stalled requests with 408, answers garbage with 400, and counts them", async () => {
  await using temporary = await temporaryHome();
  const lines: string[] = [];
  const server = await serve({
    home: temporary.path,
    port: 0,
    log: (line) => lines.push(line),
    connectionLimits: { headerTimeoutMs: 400 },
  });
  const { port } = server;
  try {
    const half = await rawAll(port, `GET /api/runs HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\n`, 2_000);
    assert.match(half, /^HTTP\/1\.1 408 Request Timeout/);
    const stalled = await rawAll(
      port,
      `POST /api/runs HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{"pipel`,
      2_000,
    );
    assert.match(stalled, /^HTTP\/1\.1 408 [\s\S]*body stopped/);
    assert.match(await raw(port, "\x16\x03\x01 not http\r\n\r\n"), /^HTTP\/1\.1 400 /);
    const health = await fetch(`${server.url}/api/health`);
    assert.equal(health.status, 200);
    await health.body?.cancel();
    const metrics = await (await fetch(`${server.url}/metrics`)).text();
    assert.match(metrics, /writeit_http_connections_refused_total\{status="408"\} 2/);
    assert.match(metrics, /writeit_http_connections_refused_total\{status="400"\} 1/);
    assert.equal(lines.filter((line) => line.includes("Refused a connection")).length, 3);
    assert.ok(!lines.some((line) => /"level":"error"/.test(line)), lines.join("\n"));
  } finally {
    await server.shutdown();
  }
});

Deno.test("writeit serve sweeps the socket folders that killed servers left behind, and only those", async () => {
  await using temporary = await temporaryHome();
  const { tmpdir } = await import("node:os");
  const exited = new Deno.Command(Deno.execPath(), { args: ["eval", "0"] }).spawn();
  const deadPid = exited.pid;
  await exited.status;
  const dead = await Deno.makeTempDir({ prefix: `writeit-serve-${deadPid}-` });
  const alive = await Deno.makeTempDir({ prefix: `writeit-serve-${Deno.ppid}-` });
  const server = await serve({ home: temporary.path, port: 0, log: () => {} });
  try {
    assert.ok(dead.startsWith(tmpdir()));
    assert.equal(
      await Deno.stat(dead).then(() => true, () => false),
      false,
      "the dead one is gone",
    );
    assert.equal(await Deno.stat(alive).then(() => true, () => false), true, "a live one stays");
  } finally {
    await server.shutdown();
    await Deno.remove(alive, { recursive: true });
  }
});
