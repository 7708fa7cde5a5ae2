/**
 * Starts the WriteIt server on `Deno.serve`: the API, the run WebSockets and
 * the dashboard over every workspace of a home. Binds to loopback by
 * default; binding anything else without a token (`WRITEIT_API_TOKEN`,
 * config `server.token`) refuses to start. `shutdown()` is graceful: it stops
 * accepting, closes WebSockets with 1001 ("going away", clients reconnect
 * elsewhere or later), stops background drives so their runs stay
 * resumable, and closes every workspace. Used by `main.ts`, `writeit serve`
 * and the tests (port 0 picks a free port).
 *
 * @example
 * ```ts
 * const server = await serve({ home, port: 0 });
 * await fetch(`${server.url}/api/health`);
 * await server.shutdown();
 * ```
 */
import { tmpdir } from "node:os";
import { join } from "node:path";
import { resolveConfig, storageSettings } from "./config.ts";
import { ConfigurationError, ValidationError } from "./engine/errors.ts";
import { VERSION } from "./engine/version.ts";
import { createApp } from "./routes/app.ts";
import { processExists } from "./storage/local_process.ts";
import { workspacePaths, Workspaces } from "./storage/lmdb/workspaces.ts";
import { redactUrl } from "./storage/postgres/database_url.ts";
import {
  type ConnectionGate,
  type ConnectionLimits,
  openConnectionGate,
} from "./server/connection_gate.ts";
import { Metrics } from "./server/metrics.ts";
import { loopbackHosts } from "./server/host_guard.ts";
import { createLogger, LOG_LEVELS, type LogLevel } from "./server/request_log.ts";

export { LOG_LEVELS };
import { WorkspaceHub } from "./server/workspace_hub.ts";

/** Addresses that only this machine can reach. */
/** A failure to listen on `host:port`, said with the address and the fix. */
function listenError(error: unknown, host: string, port: number): unknown {
  const address = `${host.includes(":") && !host.startsWith("[") ? `[${host}]` : host}:${port}`;
  if (error instanceof Deno.errors.AddrInUse) {
    return new ConfigurationError(
      `Cannot listen on ${address}: another program is using port ${port}. Stop it, or choose another port with --port (or \`writeit config set server.port …\`); --port 0 takes any free one`,
      { code: "port_in_use", cause: error },
    );
  }
  if (error instanceof Deno.errors.AddrNotAvailable) {
    return new ConfigurationError(
      `Cannot listen on ${address}: this machine has no address "${host}". Use 127.0.0.1 (this machine only) or an address of one of its network interfaces with --host`,
      { code: "address_not_available", cause: error },
    );
  }
  if (error instanceof Deno.errors.PermissionDenied) {
    return new ConfigurationError(
      `Cannot listen on ${address}: permission denied (ports below 1024 need privileges). Choose a port from 1024 up with --port`,
      { code: "listen_denied", cause: error },
    );
  }
  return error;
}

/** Whether `host` only reaches this machine: localhost, ::1 or any address of 127.0.0.0/8. */
export function isLoopback(host: string): boolean {
  const bare = host.replace(/^\[|\]$/g, "").toLowerCase();
  if (bare === "localhost" || bare === "::1" || bare === "0:0:0:0:0:0:0:1") return true;
  const parts = bare.split(".");
  return parts.length === 4 && parts[0] === "127" &&
    parts.every((part) => /^\d{1,3}$/.test(part) && Number(part) <= 255);
}

/** Options of `serve`; unset ones come from the resolved configuration. */
export interface ServeOptions {
  /** The WriteIt home (its workspaces are served). */
  home: string;
  host?: string;
  /** 0 picks a free port. */
  port?: number;
  token?: string;
  /** Environment for configuration and providers (default: none beyond what is passed). */
  env?: Record<string, string | undefined>;
  /** Workspace of the unscoped routes (default: the home's active one). */
  workspace?: string;
  /** Lowest level of log lines (default: server.log_level, `info`). */
  logLevel?: LogLevel;
  /** Where log lines go (default: standard output). */
  log?: (line: string) => void;
  /** Time-outs and limits of connections (default: configuration, then the gate's defaults). */
  connectionLimits?: Partial<ConnectionLimits>;
}

/** A running server. */
export interface RunningServer {
  /** `http://host:port`. */
  url: string;
  hostname: string;
  port: number;
  hub: WorkspaceHub;
  /** Stops gracefully (see the module doc); safe to call twice. */
  shutdown(): Promise<void>;
  /** Resolves when the server has stopped. */
  finished: Promise<void>;
}

/** Shortest token accepted for a bind beyond loopback (128 bits as hex). */
export const MIN_PUBLIC_TOKEN_LENGTH = 32;

/**
 * Why `token` cannot protect a server, or undefined when it can: never blank
 * or padded (headers are trimmed, so nobody could present it), and at least
 * `MIN_PUBLIC_TOKEN_LENGTH` characters when the API is reachable from other machines.
 */
export function tokenWeakness(token: string, options: { public: boolean }): string | undefined {
  if (token.trim() === "") return "is blank";
  if (/\s/.test(token)) return "contains spaces or other white space, which a header cannot carry";
  if (options.public && token.length < MIN_PUBLIC_TOKEN_LENGTH) {
    return `has ${token.length} characters, and a server reachable from other machines needs at least ${MIN_PUBLIC_TOKEN_LENGTH}`;
  }
  return undefined;
}

/** Starts a server; throws ValidationError for a configuration it refuses. */
export async function serve(options: ServeOptions): Promise<RunningServer> {
  const env = options.env ?? {};
  const log = options.log ?? ((line: string) => console.log(line));
  const workspaces = new Workspaces(options.home);
  if (!workspaces.isInitialised()) workspaces.init();
  const defaultWorkspace = options.workspace ?? (env.WRITEIT_WORKSPACE || undefined) ??
    workspaces.activeName();
  const info = workspaces.info(defaultWorkspace);
  const config = resolveConfig({ home: options.home, workspaceRoot: info.path, env });
  const storage = storageSettings(config);
  const host = options.host ?? config.get<string>("server.host") ?? "127.0.0.1";
  const port = options.port ?? config.get<number>("server.port") ?? 8484;
  const token = options.token ?? config.get<string>("server.token") ?? undefined;
  if (!isLoopback(host) && !token) {
    throw new ValidationError(
      `Binding to "${host}" exposes the API beyond this machine, and no token is set: set WRITEIT_API_TOKEN (or \`writeit config set server.token …\`), or bind to 127.0.0.1`,
    );
  }
  if (token !== undefined) {
    const problem = tokenWeakness(token, { public: !isLoopback(host) });
    if (problem) {
      throw new ValidationError(
        `The API token ${problem}: generate one with \`openssl rand -hex 32\` and set it as WRITEIT_API_TOKEN (or server.token)`,
      );
    }
  }
  const corsOrigins = String(config.get<string>("server.cors_origins") ?? "")
    .split(",").map((origin) => origin.trim()).filter(Boolean);

  const extraHosts = String(config.get<string>("server.allowed_hosts") ?? "")
    .split(",").map((name) => name.trim()).filter(Boolean);
  const allowedHosts: string[] = [];

  const logger = createLogger(log, {
    level: options.logLevel ??
      (String(config.get<string>("server.log_level") ?? "info") as LogLevel),
  });
  const hub = new WorkspaceHub({
    home: options.home,
    env,
    defaultWorkspace,
    onDriveError: (workspace, runId, error) =>
      logger.warn("A background drive stopped with an error", { workspace, runId, error }),
  });
  if (storage.backend !== "lmdb") {
    // A shared database that cannot be reached (or refuses us) stops the start, not a request.
    try {
      await hub.open();
    } catch (error) {
      await hub.close();
      throw error;
    }
  }
  const openSockets = new Set<WebSocket>();
  const metrics = new Metrics();
  const app = createApp({
    hub,
    version: VERSION,
    token,
    corsOrigins,
    allowedHosts,
    maxBodyBytes: Number(config.get<number>("server.max_body_kb") ?? 1024) * 1024,
    rateLimitPerMinute: Number(config.get<number>("server.rate_limit_per_minute") ?? 0),
    metrics,
    logger,
    sockets: {
      openSockets,
      onOpen: () => {
        metrics.socketOpened();
        logger.debug("WebSocket opened", { open: metrics.openSockets });
      },
      onClose: () => {
        metrics.socketClosed();
        logger.debug("WebSocket closed", { open: metrics.openSockets });
      },
      onSend: (type) => metrics.messageSent(type),
      onReceive: (action) => metrics.messageReceived(action),
    },
  });

  const aborter = new AbortController();
  let listening!: () => void;
  const listened = new Promise<void>((resolve) => listening = resolve);
  await sweepSocketFolders();
  const socketFolder = await Deno.makeTempDir({ prefix: `${SOCKET_PREFIX}${Deno.pid}-` });
  const socketPath = join(socketFolder, "app.sock");
  const server = Deno.serve({
    path: socketPath,
    signal: aborter.signal,
    onListen: () => listening(),
  }, app.fetch);
  await listened;
  let gate: ConnectionGate;
  try {
    gate = openConnectionGate({
      hostname: host,
      port,
      upstreamPath: socketPath,
      ...connectionLimits(config, options.connectionLimits),
      onRefused: (status, reason) => {
        metrics.connectionRefused(status);
        logger.warn("Refused a connection", { status, reason });
      },
    });
  } catch (error) {
    aborter.abort();
    await server.finished;
    await Deno.remove(socketFolder, { recursive: true });
    throw listenError(error, host, port);
  }
  metrics.watchConnections(() => gate.connections());
  const address = gate.addr;
  const shownHost = address.hostname.includes(":") ? `[${address.hostname}]` : address.hostname;
  const url = `http://${shownHost}:${address.port}`;
  allowedHosts.push(...loopbackHosts(address.port), ...extraHosts);
  const named = `${
    host.includes(":") && !host.startsWith("[") ? `[${host}]` : host
  }:${address.port}`;
  if (!allowedHosts.includes(named)) allowedHosts.push(named);
  logger.info(`WriteIt ${VERSION} serving on ${url}`, {
    url,
    workspace: defaultWorkspace,
    data: workspacePaths(options.home, defaultWorkspace).root,
    storage: storage.backend === "postgres" ? redactUrl(storage.url) : storage.backend,
    auth: token ? "bearer" : "none",
  });

  let stopping: Promise<void> | undefined;
  const shutdown = () => {
    stopping ??= (async () => {
      for (const socket of openSockets) socket.close(1001, "The server is shutting down");
      gate.close(); // stop accepting; requests in flight finish
      aborter.abort();
      await server.finished;
      await gate.finished;
      await Deno.remove(socketFolder, { recursive: true }).catch(() => {});
      await hub.close(); // background drives stop cleanly: their runs stay resumable
      logger.info("WriteIt server stopped");
    })();
    return stopping;
  };
  return {
    url,
    hostname: address.hostname,
    port: address.port,
    hub,
    shutdown,
    finished: server.finished,
  };
}

/** Temporary folders of the application's Unix socket: `writeit-serve-<pid>-…`. */
const SOCKET_PREFIX = "writeit-serve-";

/** Removes the socket folders of servers whose process is gone (killed before it could clean up). */
async function sweepSocketFolders(): Promise<void> {
  const root = tmpdir();
  try {
    for await (const entry of Deno.readDir(root)) {
      const pid = Number(entry.name.slice(SOCKET_PREFIX.length).split("-")[0]);
      if (!entry.isDirectory || !entry.name.startsWith(SOCKET_PREFIX) || !Number.isInteger(pid)) {
        continue;
      }
      if (pid === Deno.pid || processExists(pid)) continue;
      await Deno.remove(join(root, entry.name), { recursive: true }).catch(() => {});
    }
  } catch {
    // an unreadable temporary folder only means nothing is swept
  }
}

/** The gate's limits: options first, then `server.*_seconds` and `server.max_connections`. */
function connectionLimits(
  config: ReturnType<typeof resolveConfig>,
  overrides: Partial<ConnectionLimits> = {},
): Partial<ConnectionLimits> {
  const seconds = (key: string) => {
    const value = config.get<number>(key);
    return value === undefined ? undefined : Number(value) * 1000;
  };
  return {
    headerTimeoutMs: overrides.headerTimeoutMs ?? seconds("server.header_timeout_seconds"),
    idleTimeoutMs: overrides.idleTimeoutMs ?? seconds("server.idle_timeout_seconds"),
    maxHeaderBytes: overrides.maxHeaderBytes,
    maxConnections: overrides.maxConnections ??
      (config.get<number>("server.max_connections") ?? undefined),
  };
}

/** Serves until SIGINT or SIGTERM, then shuts down gracefully (`writeit serve`, `main.ts`). */
export async function serveUntilStopped(options: ServeOptions): Promise<void> {
  const server = await serve(options);
  const stop = () => void server.shutdown();
  Deno.addSignalListener("SIGINT", stop);
  Deno.addSignalListener("SIGTERM", stop);
  try {
    await server.finished;
    await server.shutdown();
  } finally {
    Deno.removeSignalListener("SIGINT", stop);
    Deno.removeSignalListener("SIGTERM", stop);
  }
}
