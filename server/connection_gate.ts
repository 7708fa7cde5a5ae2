/**
 * The server's front door: a TCP listener that admits HTTP/1.1 connections
 * to the application server (which listens on a private Unix socket) only
 * while they behave. `Deno.serve` has no header or idle time-outs, so a
 * client that sends half a request would hold a connection for ever; the
 * gate closes it instead:
 *
 * - a request head must arrive whole within `headerTimeoutMs` of its first
 *   byte (408), and fit in `maxHeaderBytes` (431);
 * - a body must keep arriving (no pause longer than `headerTimeoutMs`, 408)
 *   and be framed by Content-Length: chunked uploads get 411;
 * - a connection with no request for `idleTimeoutMs` (and no response
 *   under way) is closed;
 * - past `maxConnections` open connections, a new one gets 503;
 * - a request line that is not HTTP gets 400.
 *
 * Everything else passes through byte for byte, responses included; after
 * a WebSocket upgrade the connection is piped as it is.
 *
 * @example
 * ```ts
 * const gate = openConnectionGate({ hostname: "127.0.0.1", port: 0, upstreamPath: "/tmp/x/app.sock" });
 * console.log(gate.addr.port);
 * await gate.close();
 * ```
 */

/** Limits of the gate; see the module doc. */
export interface ConnectionLimits {
  headerTimeoutMs: number;
  idleTimeoutMs: number;
  maxHeaderBytes: number;
  maxConnections: number;
}

/** Defaults of `ConnectionLimits`. */
export const DEFAULT_CONNECTION_LIMITS: ConnectionLimits = {
  headerTimeoutMs: 20_000,
  idleTimeoutMs: 60_000,
  maxHeaderBytes: 32 * 1024,
  maxConnections: 4096,
};

/** Options of `openConnectionGate`. */
export interface ConnectionGateOptions extends Partial<ConnectionLimits> {
  hostname: string;
  /** 0 picks a free port. */
  port: number;
  /** Unix socket of the application server. */
  upstreamPath: string;
  /** Called once per refused request or connection, with its HTTP status. */
  onRefused?: (status: number, reason: string) => void;
}

/** A listening gate. */
export interface ConnectionGate {
  readonly addr: Deno.NetAddr;
  /** Open client connections. */
  connections(): number;
  /** Stops accepting; open connections end when their upstream side does. */
  close(): void;
  /** Resolves when the accept loop has ended. */
  readonly finished: Promise<void>;
}

const HEAD_END = [13, 10, 13, 10];
const REQUEST_LINE = /^[A-Z]{3,12} [!-~]+ HTTP\/1\.[01]$/;

/** Opens the gate and starts accepting connections. */
export function openConnectionGate(options: ConnectionGateOptions): ConnectionGate {
  const limits: ConnectionLimits = { ...DEFAULT_CONNECTION_LIMITS, ...definedLimits(options) };
  const listener = Deno.listen({ hostname: options.hostname, port: options.port });
  const open = new Set<Deno.Conn>();
  const refuse = options.onRefused ?? (() => {});
  const finished = (async () => {
    try {
      for await (const client of listener) {
        if (open.size >= limits.maxConnections) {
          refuse(503, "too many connections");
          void answerAndClose(
            client,
            503,
            "The server has too many open connections: try again shortly",
          );
          continue;
        }
        (client as Deno.TcpConn).setNoDelay?.(true);
        open.add(client);
        void serveConnection(client, options.upstreamPath, limits, refuse)
          .finally(() => open.delete(client));
      }
    } catch (error) {
      if (!(error instanceof Deno.errors.BadResource)) throw error;
    }
  })();
  return {
    addr: listener.addr as Deno.NetAddr,
    connections: () => open.size,
    close: () => {
      try {
        listener.close();
      } catch {
        // already closed
      }
    },
    finished,
  };
}

function definedLimits(options: Partial<ConnectionLimits>): Partial<ConnectionLimits> {
  const limits: Partial<ConnectionLimits> = {};
  for (const key of Object.keys(DEFAULT_CONNECTION_LIMITS) as (keyof ConnectionLimits)[]) {
    const value = options[key];
    if (typeof value === "number" && Number.isFinite(value) && value > 0) limits[key] = value;
  }
  return limits;
}

/** One client connection, from its first byte to its close. */
async function serveConnection(
  client: Deno.Conn,
  upstreamPath: string,
  limits: ConnectionLimits,
  refuse: (status: number, reason: string) => void,
): Promise<void> {
  let upstream: Deno.Conn | undefined;
  let responding: Promise<void> | undefined;
  let lastUpstreamByte = 0;
  let buffer: Uint8Array = new Uint8Array(0);
  let timer: ReturnType<typeof setTimeout> | undefined;
  let ended = false;
  const chunk = new Uint8Array(64 * 1024);

  const end = () => {
    if (ended) return;
    ended = true;
    clearTimeout(timer);
    closeQuietly(client);
    if (upstream) closeQuietly(upstream);
  };
  const refuseWith = (status: number, reason: string, detail: string) => {
    if (ended) return;
    refuse(status, reason);
    ended = true;
    clearTimeout(timer);
    if (upstream) closeQuietly(upstream);
    void answerAndClose(client, status, detail);
  };
  const armDeadline = (ms: number, onExpiry: () => void) => {
    clearTimeout(timer);
    timer = setTimeout(onExpiry, ms);
  };
  const armIdle = () => {
    const waitFor = (ms: number) =>
      armDeadline(ms, () => {
        const quietFor = Date.now() - lastUpstreamByte;
        if (quietFor < limits.idleTimeoutMs) waitFor(limits.idleTimeoutMs - quietFor);
        else end();
      });
    waitFor(limits.idleTimeoutMs);
  };
  const readMore = async (): Promise<boolean> => {
    let count: number | null;
    try {
      count = await client.read(chunk);
    } catch {
      return false;
    }
    if (count === null || ended) return false;
    buffer = concat(buffer, chunk.subarray(0, count));
    return true;
  };
  const forward = async (bytes: Uint8Array): Promise<boolean> => {
    try {
      if (!upstream) {
        upstream = await Deno.connect({ transport: "unix", path: upstreamPath });
        const from = upstream;
        responding = (async () => {
          const into = new Uint8Array(64 * 1024);
          try {
            for (;;) {
              const count = await from.read(into);
              if (count === null) break;
              lastUpstreamByte = Date.now();
              await writeAll(client, into.subarray(0, count));
            }
          } catch {
            // either side went away
          }
          end();
        })();
      }
      await writeAll(upstream, bytes);
      return true;
    } catch {
      end();
      return false;
    }
  };

  const headTooLarge = () =>
    refuseWith(
      431,
      "headers too large",
      `The request headers are larger than ${limits.maxHeaderBytes} bytes`,
    );
  const stalled = () =>
    refuseWith(
      408,
      "body stalled",
      `The request body stopped for more than ${limits.headerTimeoutMs} ms`,
    );

  try {
    for (;;) {
      // A request head: idle until its first byte, then one deadline for the whole head.
      let headEnd = indexOf(buffer, HEAD_END, 0);
      if (headEnd < 0) {
        if (buffer.length === 0) {
          armIdle();
          if (!await readMore()) return end();
        }
        armDeadline(limits.headerTimeoutMs, () =>
          refuseWith(
            408,
            "header time-out",
            `The request headers did not arrive within ${limits.headerTimeoutMs} ms`,
          ));
        let scanned = 0;
        while ((headEnd = indexOf(buffer, HEAD_END, scanned)) < 0) {
          if (buffer.length > limits.maxHeaderBytes) return headTooLarge();
          scanned = Math.max(0, buffer.length - HEAD_END.length + 1);
          if (!await readMore()) return end();
        }
        clearTimeout(timer);
      }
      const headLength = headEnd + HEAD_END.length;
      if (headLength > limits.maxHeaderBytes) return headTooLarge();
      const head = parseHead(buffer.subarray(0, headEnd));
      if (!head) return refuseWith(400, "bad request line", "The request is not HTTP/1.1");
      if (head.chunked) {
        return refuseWith(
          411,
          "chunked body",
          "Send the request body with a Content-Length, not in chunks",
        );
      }
      if (head.upgrade) {
        if (!await forward(buffer)) return;
        buffer = new Uint8Array(0);
        await pipeRaw(client, forward);
        return end();
      }
      // The head and as much of the body as has arrived; then the rest, which must keep coming.
      const whole = headLength + head.contentLength;
      if (buffer.length >= whole) {
        if (!await forward(buffer.subarray(0, whole))) return;
        buffer = buffer.slice(whole);
        continue;
      }
      let missing = whole - buffer.length;
      if (!await forward(buffer)) return;
      buffer = new Uint8Array(0);
      while (missing > 0) {
        armDeadline(limits.headerTimeoutMs, stalled);
        if (!await readMore()) return end();
        const take = Math.min(missing, buffer.length);
        if (!await forward(buffer.subarray(0, take))) return;
        missing -= take;
        buffer = buffer.slice(take);
      }
      clearTimeout(timer);
    }
  } finally {
    clearTimeout(timer);
    await responding;
  }
}

interface RequestHead {
  contentLength: number;
  chunked: boolean;
  upgrade: boolean;
}

function parseHead(bytes: Uint8Array): RequestHead | undefined {
  const lines = new TextDecoder("latin1").decode(bytes).split("\r\n");
  if (!REQUEST_LINE.test(lines[0])) return undefined;
  const head: RequestHead = { contentLength: 0, chunked: false, upgrade: false };
  for (const line of lines.slice(1)) {
    const colon = line.indexOf(":");
    if (colon <= 0) return undefined;
    const name = line.slice(0, colon).trim().toLowerCase();
    const value = line.slice(colon + 1).trim();
    if (name === "content-length") {
      if (!/^\d{1,15}$/.test(value)) return undefined;
      head.contentLength = Number(value);
    } else if (name === "transfer-encoding") head.chunked = true;
    else if (name === "upgrade") head.upgrade = true;
  }
  return head;
}

async function pipeRaw(
  client: Deno.Conn,
  send: (bytes: Uint8Array) => Promise<boolean>,
): Promise<void> {
  const chunk = new Uint8Array(64 * 1024);
  for (;;) {
    let count: number | null;
    try {
      count = await client.read(chunk);
    } catch {
      return;
    }
    if (count === null || !await send(chunk.slice(0, count))) return;
  }
}

async function answerAndClose(client: Deno.Conn, status: number, detail: string): Promise<void> {
  const body = JSON.stringify({
    type: `https://writeit.dev/problems/http-${status}`,
    title: TITLES[status] ?? "Bad request",
    status,
    detail,
    code: `http_${status}`,
  });
  const bytes = new TextEncoder().encode(
    `HTTP/1.1 ${status} ${TITLES[status] ?? "Bad Request"}\r\n` +
      `content-type: application/problem+json\r\ncontent-length: ${
        new TextEncoder().encode(body).length
      }\r\nconnection: close\r\n\r\n${body}`,
  );
  try {
    await writeAll(client, bytes);
  } catch {
    // the client is gone
  }
  closeQuietly(client);
}

const TITLES: Record<number, string> = {
  400: "Bad Request",
  408: "Request Timeout",
  411: "Length Required",
  431: "Request Header Fields Too Large",
  503: "Service Unavailable",
};

async function writeAll(conn: Deno.Conn, bytes: Uint8Array): Promise<void> {
  let offset = 0;
  while (offset < bytes.length) offset += await conn.write(bytes.subarray(offset));
}

function closeQuietly(conn: Deno.Conn): void {
  try {
    conn.close();
  } catch {
    // already closed
  }
}

function concat(left: Uint8Array, right: Uint8Array): Uint8Array {
  if (left.length === 0) return right.slice();
  const joined = new Uint8Array(left.length + right.length);
  joined.set(left);
  joined.set(right, left.length);
  return joined;
}

function indexOf(haystack: Uint8Array, needle: readonly number[], from: number): number {
  outer: for (let start = from; start + needle.length <= haystack.length; start++) {
    for (let offset = 0; offset < needle.length; offset++) {
      if (haystack[start + offset] !== needle[offset]) continue outer;
    }
    return start;
  }
  return -1;
}
