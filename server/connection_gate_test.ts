import assert from "node:assert/strict";
import { join } from "node:path";
import { type ConnectionLimits, openConnectionGate } from "./connection_gate.ts";

/** A gate in front of an echo server on a Unix socket. */
async function gated(limits: Partial<ConnectionLimits> = {}) {
  const folder = await Deno.makeTempDir({ prefix: "writeit-gate-" });
  const path = join(folder, "app.sock");
  const aborter = new AbortController();
  let ready!: () => void;
  const listening = new Promise<void>((resolve) => ready = resolve);
  const app = Deno.serve(
    { path, signal: aborter.signal, onListen: () => ready() },
    async (request) => {
      const body = await request.text().catch(() => "(the gate cut the body)");
      return new Response(`${request.method} ${new URL(request.url).pathname} ${body}`);
    },
  );
  await listening;
  const refused: number[] = [];
  const gate = openConnectionGate({
    hostname: "127.0.0.1",
    port: 0,
    upstreamPath: path,
    ...limits,
    onRefused: (status) => refused.push(status),
  });
  return {
    port: gate.addr.port,
    refused,
    gate,
    async [Symbol.asyncDispose]() {
      gate.close();
      aborter.abort();
      await app.finished;
      await gate.finished;
      await Deno.remove(folder, { recursive: true });
    },
  };
}

/** Sends `parts` with `pauseMs` between them and reads until the server closes or `waitMs` passes. */
async function exchange(
  port: number,
  parts: string[],
  options: { pauseMs?: number; waitMs?: number } = {},
): Promise<{ text: string; closed: boolean }> {
  const conn = await Deno.connect({ hostname: "127.0.0.1", port });
  const reading = (async () => {
    let text = "";
    const chunk = new Uint8Array(65536);
    try {
      for (;;) {
        const count = await conn.read(chunk);
        if (count === null) return { text, closed: true };
        text += new TextDecoder().decode(chunk.subarray(0, count));
      }
    } catch {
      return { text, closed: true };
    }
  })();
  try {
    for (const part of parts) {
      await conn.write(new TextEncoder().encode(part));
      if (options.pauseMs) await new Promise((resolve) => setTimeout(resolve, options.pauseMs));
    }
  } catch {
    // the server closed first
  }
  const timeout = new Promise<{ text: string; closed: boolean }>((resolve) =>
    setTimeout(() => resolve({ text: "", closed: false }), options.waitMs ?? 3_000)
  );
  const outcome = await Promise.race([reading, timeout]);
  try {
    conn.close();
  } catch {
    // closed
  }
  if (!outcome.closed) await reading;
  return outcome;
}

Deno.test("the gate passes requests through: keep-alive, pipelined, bodies in pieces", async () => {
  await using server = await gated();
  const one = "POST /a HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n\r\nhello";
  const two = "GET /b HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n";
  const pipelined = await exchange(server.port, [one + two]);
  assert.match(pipelined.text, /POST \/a hello[\s\S]*GET \/b /);
  const pieces = await exchange(server.port, [
    "POST /c HTTP/1.1\r\nHost: x\r\nContent-Le",
    "ngth: 11\r\n\r\nhel",
    "lo wo",
    "rld" + two,
  ], { pauseMs: 30 });
  assert.match(pieces.text, /POST \/c hello world[\s\S]*GET \/b /);
  const response = await fetch(`http://127.0.0.1:${server.port}/fetch`, {
    method: "PUT",
    body: "x".repeat(200_000),
  });
  assert.equal(await response.text(), `PUT /fetch ${"x".repeat(200_000)}`);
  assert.deepEqual(server.refused, []);
});

Deno.test("the gate answers 408 to headers or bodies that stall, 431 to huge headers, 400 to garbage, 411 to chunks", async () => {
  await using server = await gated({ headerTimeoutMs: 300, maxHeaderBytes: 2048 });
  const half = await exchange(server.port, ["GET / HTTP/1.1\r\nHost: x\r\n"]);
  assert.match(half.text, /^HTTP\/1\.1 408 Request Timeout\r\n[\s\S]*did not arrive within 300 ms/);
  assert.ok(half.closed);
  const dribbled = await exchange(
    server.port,
    Array.from({ length: 20 }, () => "X-A: b\r\n"),
    { pauseMs: 40 },
  );
  assert.match(dribbled.text, /^HTTP\/1\.1 408 /, "the deadline runs from the first byte");
  const stalled = await exchange(server.port, [
    "POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 10\r\n\r\nabc",
  ]);
  assert.match(stalled.text, /^HTTP\/1\.1 408 [\s\S]*body stopped/);
  const huge = await exchange(server.port, [
    `GET / HTTP/1.1\r\nX-Big: ${"a".repeat(4000)}\r\n\r\n`,
  ]);
  assert.match(huge.text, /^HTTP\/1\.1 431 /);
  const garbage = await exchange(server.port, ["GARBAGE\r\n\r\n"]);
  assert.match(garbage.text, /^HTTP\/1\.1 400 [\s\S]*application\/problem\+json/);
  const chunked = await exchange(server.port, [
    "POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n",
  ]);
  assert.match(chunked.text, /^HTTP\/1\.1 411 /);
  assert.deepEqual(server.refused, [408, 408, 408, 431, 400, 411]);
});

Deno.test("the gate closes idle connections and turns away connections past its limit", async () => {
  await using server = await gated({ idleTimeoutMs: 300, maxConnections: 3 });
  const idle = await exchange(server.port, [], { waitMs: 2_000 });
  assert.ok(idle.closed, "an idle connection is closed");
  assert.equal(idle.text, "");
  const held = await Promise.all(
    [1, 2, 3].map(() => Deno.connect({ hostname: "127.0.0.1", port: server.port })),
  );
  const turned = await exchange(server.port, ["GET / HTTP/1.1\r\nHost: x\r\n\r\n"]);
  assert.match(turned.text, /^HTTP\/1\.1 503 /);
  for (const conn of held) conn.close();
  assert.deepEqual(server.refused, [503]);
});

Deno.test("400 half-sent requests are all closed by the header time-out while others are served", async () => {
  await using server = await gated({ headerTimeoutMs: 1_000 });
  const conns = await Promise.all(
    Array.from({ length: 400 }, () => Deno.connect({ hostname: "127.0.0.1", port: server.port })),
  );
  await Promise.all(
    conns.map((conn) => conn.write(new TextEncoder().encode("GET / HTTP/1.1\r\n"))),
  );
  const started = performance.now();
  const served = await exchange(server.port, [
    "GET /health HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n",
  ]);
  assert.match(served.text, /^HTTP\/1\.1 200 [\s\S]*GET \/health $/);
  assert.ok(performance.now() - started < 1_000, "a good request is not held up");
  const answers = await Promise.all(conns.map(async (conn) => {
    const chunk = new Uint8Array(512);
    const count = await conn.read(chunk);
    conn.close();
    return new TextDecoder().decode(chunk.subarray(0, count ?? 0)).split("\r\n")[0];
  }));
  assert.deepEqual(new Set(answers), new Set(["HTTP/1.1 408 Request Timeout"]));
  assert.equal(server.refused.length, 400);
  await new Promise((resolve) => setTimeout(resolve, 50));
  assert.equal(server.gate.connections(), 0);
});
