/**
 * `RunSocket` follows one run over `/ws/{runId}`: the `hello` snapshot, then
 * every stored event exactly once and in order, streamed chunks, notices and
 * driving changes; it sends actions and resolves each with its `ack` (or
 * rejects with a `WriteItApiError` built from the `error` frame).
 *
 * When the connection drops it reconnects with capped, jittered exponential
 * backoff and resumes with `since=<last sequence seen>`, so the server
 * replays what was missed; events at or below the last sequence are dropped
 * (never delivered twice) and a gap in sequences forces a resync (never
 * skipped). A consumer folding events into `hello.run` should apply only
 * events whose sequence is above `run.version`, since after a reconnect the
 * new hello already includes the replayed events.
 *
 * Uses the global `WebSocket` (Deno and browsers); the token travels as the
 * subprotocol `bearer.<token>` next to `writeit`.
 *
 * @example
 * ```ts
 * const socket = client.watch(runId);
 * socket.on("event", (event) => console.log(event.sequence, event.type));
 * socket.on("chunk", (chunk) => console.log(chunk.text));
 * await socket.send({ action: "select", stepId: "outline", index: 0 });
 * await socket.close();
 * ```
 */
import { WriteItError } from "../engine/errors.ts";
import type { EventEnvelope } from "../engine/events/event_envelope.ts";
import type { PipelineRun } from "../engine/run_model.ts";
import { WriteItApiError } from "./api_error.ts";
import { apiUrl, segment, webSocketUrl } from "./api_url.ts";
import type {
  AckFrame,
  ChunkFrame,
  ChunkResetFrame,
  ClientMessage,
  DrivingFrame,
  ErrorFrame,
  HelloFrame,
  NoticeFrame,
  ServerFrame,
} from "../protocol/mod.ts";
import { parseServerFrame } from "./socket_frames.ts";

/** Where the socket is: connecting the first time, open (hello received), reconnecting, closed for good. */
export type RunSocketState = "connecting" | "open" | "reconnecting" | "closed";

/** How an underlying connection ended. */
export interface RunSocketClose {
  code: number;
  reason: string;
  /** True when `close()` asked for it. */
  requested: boolean;
  /** True when another connection will be tried. */
  reconnecting: boolean;
}

/** Reconnection policy; delays grow by `factor` from `initialDelayMs` up to `maxDelayMs`, jittered to 50–100 %. */
export interface ReconnectOptions {
  /** Default 250. */
  initialDelayMs?: number;
  /** Default 10,000. */
  maxDelayMs?: number;
  /** Default 2. */
  factor?: number;
  /** Connections tried in a row without a hello before giving up; default unlimited. */
  maxAttempts?: number;
}

/** Creates a WebSocket (default: the global `WebSocket`). */
export type WebSocketFactory = (url: string, protocols: string[]) => WebSocket;

/** Options of `RunSocket`. */
export interface RunSocketOptions {
  /** The server's http(s) base URL. */
  baseUrl: string;
  runId: string;
  /** Workspace of the run (default: the server's default workspace). */
  workspace?: string;
  token?: string;
  /** Who acts through this socket (`dashboard`, `cli`, …): recorded with every action. */
  client?: string;
  /** Last sequence already seen: events after it are replayed first. Default: none (hello, then live). */
  since?: number;
  /** `false` never reconnects. */
  reconnect?: ReconnectOptions | false;
  /** Jitter source in [0, 1) (default `Math.random`). */
  random?: () => number;
  webSocket?: WebSocketFactory;
}

/** What each listener receives. */
export interface RunSocketEvents {
  hello: HelloFrame;
  event: EventEnvelope;
  chunk: ChunkFrame;
  chunk_reset: ChunkResetFrame;
  notice: NoticeFrame;
  driving: DrivingFrame;
  /** An `error` frame that answers no pending action (such as a malformed message). */
  error: ErrorFrame;
  state: RunSocketState;
  close: RunSocketClose;
}

type Listener<T> = (value: T) => void;

interface Pending {
  message: string;
  action: string;
  sent: boolean;
  resolve(ack: AckFrame): void;
  reject(error: Error): void;
}

/** Close codes after which reconnecting cannot help: policy violation and the 44xx client-error range. */
function isPermanent(code: number): boolean {
  return code === 1008 || (code >= 4400 && code < 4500);
}

/** Delay before reconnection `attempt` (0-based): capped exponential growth, jittered to 50–100 %. */
export function reconnectDelay(
  attempt: number,
  options: ReconnectOptions = {},
  random: () => number = Math.random,
): number {
  const initial = options.initialDelayMs ?? 250;
  const max = options.maxDelayMs ?? 10_000;
  const factor = options.factor ?? 2;
  const base = Math.min(max, initial * factor ** attempt);
  return Math.round(base / 2 + random() * (base / 2));
}

/** A live, self-healing subscription to one run. */
export class RunSocket {
  readonly runId: string;
  /** Resolves once the socket is closed for good (by `close()`, a permanent refusal, or giving up). */
  readonly closed: Promise<RunSocketClose>;
  readonly #options: RunSocketOptions;
  readonly #random: () => number;
  readonly #listeners = new Map<keyof RunSocketEvents, Set<Listener<never>>>();
  readonly #pending = new Map<string, Pending>();
  #resolveClosed!: (close: RunSocketClose) => void;
  #socket?: WebSocket;
  #state: RunSocketState = "connecting";
  #stopped = false;
  #attempt = 0;
  #timer?: ReturnType<typeof setTimeout>;
  #lastSequence?: number;
  #helloSequence?: number;
  #run?: PipelineRun;
  #driving = false;
  #nextId = 0;
  readonly #idPrefix: string;

  constructor(options: RunSocketOptions) {
    this.#options = options;
    this.runId = options.runId;
    this.#random = options.random ?? Math.random;
    this.#lastSequence = options.since;
    this.#idPrefix = Math.floor(this.#random() * 0xffffff).toString(36);
    this.closed = new Promise((resolve) => (this.#resolveClosed = resolve));
    this.#connect();
  }

  /** Current connection state. */
  get state(): RunSocketState {
    return this.#state;
  }

  /** Sequence of the last event delivered (or of the hello when none came since); undefined before the first hello. */
  get lastSequence(): number | undefined {
    return this.#lastSequence;
  }

  /** True once every event up to the latest hello's sequence was delivered (the replay after a reconnect is over). */
  get caughtUp(): boolean {
    return this.#helloSequence !== undefined && this.#lastSequence !== undefined &&
      this.#lastSequence >= this.#helloSequence;
  }

  /** The run as of the latest hello. */
  get run(): PipelineRun | undefined {
    return this.#run;
  }

  /** Whether the server is generating for the run (from hello, driving frames and acks). */
  get driving(): boolean {
    return this.#driving;
  }

  /** Adds a listener; returns a function that removes it. */
  on<K extends keyof RunSocketEvents>(type: K, listener: Listener<RunSocketEvents[K]>): () => void {
    let set = this.#listeners.get(type);
    if (!set) this.#listeners.set(type, set = new Set());
    set.add(listener as Listener<never>);
    return () => set.delete(listener as Listener<never>);
  }

  /**
   * Sends an action and resolves with its ack. Sent at once when connected,
   * else when the next connection opens. Rejects with `WriteItApiError` when
   * the server refuses it, and with a `WriteItError` ("socket_closed") when
   * the connection drops before the ack (the action may or may not have been
   * applied) or the socket is closed.
   */
  send(action: ClientMessage): Promise<AckFrame> {
    if (this.#stopped) {
      return Promise.reject(
        new WriteItError(
          "socket_closed",
          `Cannot send "${action.action}" on the closed socket of run ${this.runId}: open a new one with watch()`,
        ),
      );
    }
    const id = action.id ?? `${this.#idPrefix}-${++this.#nextId}`;
    return new Promise<AckFrame>((resolve, reject) => {
      const pending: Pending = {
        message: JSON.stringify({ ...action, id }),
        action: action.action,
        sent: false,
        resolve,
        reject,
      };
      this.#pending.set(id, pending);
      this.#flush();
    });
  }

  /** Round trip to the server. */
  ping(): Promise<AckFrame> {
    return this.send({ action: "ping" });
  }

  /** Closes the socket and stops reconnecting; resolves like `closed`. */
  close(code = 1000, reason = "client closed"): Promise<RunSocketClose> {
    if (!this.#stopped) {
      this.#stopped = true;
      if (this.#timer !== undefined) clearTimeout(this.#timer);
      this.#timer = undefined;
      const socket = this.#socket;
      if (socket && socket.readyState !== WebSocket.CLOSED) {
        socket.close(code, reason);
      } else {
        this.#finish({ code, reason, requested: true, reconnecting: false });
      }
    }
    return this.closed;
  }

  #emit<K extends keyof RunSocketEvents>(type: K, value: RunSocketEvents[K]): void {
    const set = this.#listeners.get(type);
    if (!set) return;
    for (const listener of [...set]) {
      try {
        (listener as Listener<RunSocketEvents[K]>)(value);
      } catch (error) {
        // A faulty listener must not break delivery to the others.
        globalThis.reportError(error);
      }
    }
  }

  #setState(state: RunSocketState): void {
    if (this.#state === state) return;
    this.#state = state;
    this.#emit("state", state);
  }

  #url(): string {
    const since = this.#lastSequence;
    const http = apiUrl(this.#options.baseUrl, `/ws/${segment(this.runId)}`, {
      workspace: this.#options.workspace,
      since,
      client: this.#options.client,
    });
    return webSocketUrl(http);
  }

  #connect(): void {
    const protocols = ["writeit"];
    if (this.#options.token) protocols.push(`bearer.${this.#options.token}`);
    const factory = this.#options.webSocket ??
      ((url: string, list: string[]) => new WebSocket(url, list));
    let socket: WebSocket;
    try {
      socket = factory(this.#url(), protocols);
    } catch (error) {
      // A malformed URL or a token with characters a subprotocol cannot carry: retrying cannot help.
      this.#stopped = true;
      const reason = error instanceof Error ? error.message : String(error);
      this.#finish({ code: 1006, reason, requested: false, reconnecting: false });
      return;
    }
    this.#socket = socket;
    this.#helloSequence = undefined;
    socket.onopen = () => this.#flush();
    socket.onmessage = (message) => {
      if (typeof message.data !== "string") return;
      const frame = parseServerFrame(message.data);
      if (frame) this.#onFrame(socket, frame);
    };
    socket.onerror = () => {}; // a close event always follows
    socket.onclose = (event) => this.#onClose(socket, event.code, event.reason);
  }

  #flush(): void {
    const socket = this.#socket;
    if (!socket || socket.readyState !== WebSocket.OPEN) return;
    for (const pending of this.#pending.values()) {
      if (pending.sent) continue;
      pending.sent = true;
      socket.send(pending.message);
    }
  }

  #onFrame(socket: WebSocket, frame: ServerFrame): void {
    if (socket !== this.#socket) return;
    switch (frame.type) {
      case "hello":
        this.#helloSequence = frame.sequence;
        if (this.#lastSequence === undefined) this.#lastSequence = frame.sequence;
        this.#run = frame.run;
        this.#driving = frame.driving;
        this.#attempt = 0;
        this.#setState("open");
        this.#emit("hello", frame);
        return;
      case "event":
        return this.#onEvent(socket, frame.event);
      case "chunk":
      case "chunk_reset":
      case "notice":
        if (frame.type === "chunk") this.#emit("chunk", frame);
        else if (frame.type === "chunk_reset") this.#emit("chunk_reset", frame);
        else this.#emit("notice", frame);
        return;
      case "driving":
        this.#driving = frame.driving;
        this.#emit("driving", frame);
        return;
      case "ack": {
        if (typeof frame.driving === "boolean") this.#driving = frame.driving;
        const pending = frame.id === undefined ? undefined : this.#pending.get(frame.id);
        if (!pending || frame.id === undefined) return;
        this.#pending.delete(frame.id);
        pending.resolve(frame);
        return;
      }
      case "error": {
        const pending = frame.id === undefined ? undefined : this.#pending.get(frame.id);
        if (!pending || frame.id === undefined) return this.#emit("error", frame);
        this.#pending.delete(frame.id);
        pending.reject(new WriteItApiError(frame.problem));
        return;
      }
    }
  }

  #onEvent(socket: WebSocket, event: EventEnvelope): void {
    const last = this.#lastSequence;
    if (last !== undefined && event.sequence <= last) return; // seen already (a replay overlap)
    if (last !== undefined && event.sequence > last + 1) {
      // A hole: resync from the last sequence rather than deliver out of order.
      socket.close(4000, `missing events after ${last}`);
      return;
    }
    this.#lastSequence = event.sequence;
    this.#emit("event", event);
  }

  #onClose(socket: WebSocket, code: number, reason: string): void {
    if (socket !== this.#socket) return;
    this.#socket = undefined;
    for (const [id, pending] of this.#pending) {
      if (!pending.sent && !this.#stopped) continue; // goes out on the next connection
      this.#pending.delete(id);
      pending.reject(
        new WriteItError(
          "socket_closed",
          this.#stopped
            ? `The socket of run ${this.runId} was closed before "${pending.action}" was acknowledged`
            : `The connection to run ${this.runId} dropped before "${pending.action}" was acknowledged: it may or may not have been applied; reload the run to check`,
        ),
      );
    }
    const policy = this.#options.reconnect;
    const maxAttempts = policy === false ? 0 : policy?.maxAttempts ?? Infinity;
    const reconnecting = !this.#stopped && !isPermanent(code) && this.#attempt < maxAttempts;
    const close = { code, reason, requested: this.#stopped, reconnecting };
    if (!reconnecting) {
      this.#stopped = true;
      this.#finish(close);
      return;
    }
    this.#emit("close", close);
    this.#setState("reconnecting");
    const delay = reconnectDelay(this.#attempt, policy || {}, this.#random);
    this.#attempt++;
    this.#timer = setTimeout(() => {
      this.#timer = undefined;
      if (!this.#stopped) this.#connect();
    }, delay);
  }

  #finish(close: RunSocketClose): void {
    for (const [id, pending] of this.#pending) {
      this.#pending.delete(id);
      pending.reject(
        new WriteItError(
          "socket_closed",
          `The socket of run ${this.runId} closed before "${pending.action}" was acknowledged`,
        ),
      );
    }
    if (this.#state === "closed") return;
    this.#emit("close", close);
    this.#setState("closed");
    this.#resolveClosed(close);
  }
}
