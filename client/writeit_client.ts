/**
 * `WriteItClient`: the typed client of the WriteIt REST API
 * (team/SERVER_API.md), for Deno, browsers and any `fetch`. Every
 * workspace-scoped call goes to `/api/workspaces/{workspace}/…` when the
 * client has a workspace, else to `/api/…` (the server's default). A token
 * is sent as `Authorization: Bearer …`. A non-2xx answer throws
 * `WriteItApiError` (status, problem+json body, `retryAfter`); a server that
 * cannot be reached throws `WriteItNetworkError` naming the URL. With
 * `retry: { attempts }`, 429 and 503 answers are retried after the
 * `Retry-After` the server gave (else a short backoff).
 *
 * Single-field envelopes are unwrapped (`listRuns` keeps `{ runs, total,
 * nextOffset }`; `getRun` returns the run); actions return `{ run, driving }`.
 *
 * @example
 * ```ts
 * const client = new WriteItClient({ baseUrl: "http://127.0.0.1:8080", token });
 * const { run } = await client.createRun({ pipeline: "quick-article", inputs: { topic: "Deno" }, model: "offline", start: true, autoSelect: true });
 * const socket = client.watch(run.runId, { since: run.version });
 * socket.on("event", (event) => console.log(event.type));
 * ```
 */
import { apiErrorFromResponse, WriteItNetworkError } from "./api_error.ts";
import { apiUrl, type QueryValues, scopedPath, segment } from "./api_url.ts";
import type {
  CacheStatsReport,
  CreateRunRequest,
  EventPage,
  ExportFormat,
  HealthResponse,
  PipelineDetail,
  PipelineListItem,
  PipelineRun,
  PipelineValidation,
  RegisteredPipeline,
  RunFilter,
  RunList,
  RunResult,
  RunSummary,
  TextDiffResponse,
  WorkspaceDetail,
  WorkspaceListItem,
} from "./api_types.ts";
import { RunSocket, type RunSocketOptions } from "./run_socket.ts";
import type { RunEstimate } from "../engine/run_estimate.ts";

/** Retrying refused requests (429, 503). */
export interface RetryOptions {
  /** Retries after the first try (0 = none). */
  attempts: number;
  /** Longest wait between tries, in milliseconds (default 30,000); a longer Retry-After gives up. */
  maxDelayMs?: number;
}

/** Options of `WriteItClient`. */
export interface WriteItClientOptions {
  /** The server, such as `http://127.0.0.1:8080` (a path prefix is kept). */
  baseUrl: string;
  /** Bearer token (the server's WRITEIT_API_TOKEN). */
  token?: string;
  /** Workspace for scoped routes (default: the server's default workspace). */
  workspace?: string;
  /** `fetch` to use (default the global one). */
  fetch?: typeof fetch;
  /** Off by default. */
  retry?: RetryOptions;
  /**
   * Who acts through this client (`cli`, `dashboard`, `tui`, …), sent as
   * `X-WriteIt-Client` and recorded with every action, so that the others
   * are told "candidate 2 was picked from the dashboard".
   */
  client?: string;
}

/**
 * Options every action on a run takes: `basedOn` is the run version the
 * decision was made on (the `version` of the run shown). When someone else
 * decided something since, the server refuses with 409 `stale_action`
 * (ApiError with `problem.stale`) and changes nothing.
 */
export interface ActionRequest {
  basedOn?: number;
}

interface RequestOptions {
  method?: "GET" | "POST";
  query?: QueryValues;
  body?: unknown;
  /** Answer as text rather than JSON. */
  text?: boolean;
}

/** Options of `watch`: those of RunSocket that the client does not fill in. */
export type WatchOptions = Omit<
  RunSocketOptions,
  "baseUrl" | "runId" | "token" | "workspace" | "client"
>;

/** Typed access to every REST endpoint of a WriteIt server. */
export class WriteItClient {
  readonly baseUrl: string;
  readonly workspace?: string;
  /** Who acts through this client (the `client` option). */
  readonly clientName?: string;
  readonly #options: WriteItClientOptions;
  readonly #fetch: typeof fetch;

  constructor(options: WriteItClientOptions) {
    apiUrl(options.baseUrl, "/"); // fails early on a malformed base URL
    this.#options = options;
    this.baseUrl = options.baseUrl;
    this.workspace = options.workspace;
    this.clientName = options.client;
    this.#fetch = options.fetch ?? ((input, init) => fetch(input, init));
  }

  /** The same client acting on workspace `name`. */
  withWorkspace(name: string): WriteItClient {
    return new WriteItClient({ ...this.#options, workspace: name });
  }

  // --- server and workspaces -------------------------------------------------------------

  /** `GET /api/health` (no token needed). */
  health(): Promise<HealthResponse> {
    return this.#request("/api/health");
  }

  /** Every workspace of the server's home. */
  async listWorkspaces(): Promise<WorkspaceListItem[]> {
    return (await this.#request<{ workspaces: WorkspaceListItem[] }>("/api/workspaces"))
      .workspaces;
  }

  /** Creates a workspace. */
  async createWorkspace(name: string): Promise<{ name: string }> {
    return (await this.#request<{ workspace: { name: string } }>("/api/workspaces", {
      method: "POST",
      body: { name },
    })).workspace;
  }

  /** One workspace and its run count. */
  async getWorkspace(name: string): Promise<WorkspaceDetail> {
    return (await this.#request<{ workspace: WorkspaceDetail }>(
      `/api/workspaces/${segment(name)}`,
    )).workspace;
  }

  // --- pipelines -------------------------------------------------------------------------

  /** The pipelines the workspace can run. */
  async listPipelines(): Promise<PipelineListItem[]> {
    return (await this.#scoped<{ pipelines: PipelineListItem[] }>(
      "/pipelines",
    )).pipelines;
  }

  /** One pipeline, normalized, with its origin and warnings. */
  getPipeline(name: string): Promise<PipelineDetail> {
    return this.#scoped(`/pipelines/${segment(name)}`);
  }

  /** Registers YAML text as pipeline `name` in the workspace (422 with issues when invalid). */
  registerPipeline(pipeline: { yaml: string; name: string }): Promise<RegisteredPipeline> {
    return this.#scoped("/pipelines", { method: "POST", body: pipeline });
  }

  /** Checks a pipeline already in the library by name (422 with issues when invalid). */
  checkPipeline(name: string): Promise<RegisteredPipeline> {
    return this.#scoped("/pipelines", { method: "POST", body: { name } });
  }

  /** Validates YAML text: every issue with line, column and dotted path. */
  validatePipeline(yaml: string, options: { name?: string } = {}): Promise<PipelineValidation> {
    return this.#scoped("/pipelines/validate", {
      method: "POST",
      body: { yaml, ...(options.name === undefined ? {} : { name: options.name }) },
    });
  }

  // --- runs ------------------------------------------------------------------------------

  /** Runs, newest first, filtered and paged. */
  listRuns(filter: RunFilter = {}): Promise<RunList> {
    return this.#scoped("/runs", { query: { ...filter } });
  }

  /** A run's state now, or right after event `at` (time travel). */
  async getRun(runId: string, options: { at?: number } = {}): Promise<PipelineRun> {
    return (await this.#scoped<{ run: PipelineRun }>(`/runs/${segment(runId)}`, {
      query: { at: options.at },
    })).run;
  }

  /** Creates a run; with `start: true` the server starts generating at once. */
  createRun(body: CreateRunRequest): Promise<RunResult> {
    return this.#action("/runs", body);
  }

  /** What a run with this body would cost, per step and model, before anything is created. */
  estimateRun(body: CreateRunRequest): Promise<RunEstimate> {
    return this.#request(scopedPath("/runs/estimate", this.workspace), { method: "POST", body });
  }

  /** Starts (or continues) generating in the background. */
  startRun(
    runId: string,
    options: { autoSelect?: boolean; acceptInvalid?: boolean } = {},
  ): Promise<RunResult> {
    return this.#action(`/runs/${segment(runId)}/start`, options);
  }

  /** Picks a candidate: a 0-based index into the step's responses, or a response id. */
  select(
    runId: string,
    stepId: string,
    choice: number | string,
    options: ActionRequest = {},
  ): Promise<RunResult> {
    const pick = typeof choice === "number" ? { index: choice } : { responseId: choice };
    return this.#action(`/runs/${segment(runId)}/select`, { stepId, ...pick, ...options });
  }

  /** Merges candidates into a new one (generated in the background). */
  merge(
    runId: string,
    stepId: string,
    responseIds: string[],
    options: ActionRequest & { instructions?: string; model?: string } = {},
  ): Promise<RunResult> {
    return this.#action(`/runs/${segment(runId)}/merge`, { stepId, responseIds, ...options });
  }

  /** Replaces a step's result with hand-written text. */
  edit(
    runId: string,
    stepId: string,
    text: string,
    options: ActionRequest = {},
  ): Promise<RunResult> {
    return this.#action(`/runs/${segment(runId)}/edit`, { stepId, text, ...options });
  }

  /** Adds feedback on a step; regenerates with it unless `regenerate: false`. */
  feedback(
    runId: string,
    stepId: string,
    text: string,
    options: ActionRequest & { regenerate?: boolean } = {},
  ): Promise<RunResult> {
    return this.#action(`/runs/${segment(runId)}/feedback`, { stepId, text, ...options });
  }

  /** Asks for new candidates for a step. */
  regenerate(runId: string, stepId: string, options: ActionRequest = {}): Promise<RunResult> {
    return this.#action(`/runs/${segment(runId)}/regenerate`, { stepId, ...options });
  }

  /** Skips a step. */
  skip(
    runId: string,
    stepId: string,
    options: ActionRequest & { reason?: string } = {},
  ): Promise<RunResult> {
    return this.#action(`/runs/${segment(runId)}/skip`, { stepId, ...options });
  }

  /** Rates a candidate ("none" takes the rating back), with an optional note. */
  rate(
    runId: string,
    stepId: string,
    responseId: string,
    options: ActionRequest & { rating: "up" | "down" | "none"; note?: string },
  ): Promise<RunResult> {
    return this.#action(`/runs/${segment(runId)}/rate`, { stepId, responseId, ...options });
  }

  /** Forks the run at a step; `run` is the new child run. */
  branch(
    runId: string,
    fromStepId: string,
    options: ActionRequest & { start?: boolean } = {},
  ): Promise<RunResult> {
    return this.#action(`/runs/${segment(runId)}/branch`, { fromStepId, ...options });
  }

  /** Sends the run back to a step (history is kept). */
  rewind(runId: string, toStepId: string, options: ActionRequest = {}): Promise<RunResult> {
    return this.#action(`/runs/${segment(runId)}/rewind`, { toStepId, ...options });
  }

  /** Pauses the run. */
  pause(runId: string, options: ActionRequest & { reason?: string } = {}): Promise<RunResult> {
    return this.#action(`/runs/${segment(runId)}/pause`, options);
  }

  /**
   * Resumes a paused or failed run; with `model`, on that model from now on
   * (the step waiting for a pick, or the failed one, is asked again on it).
   */
  resume(runId: string, options: ActionRequest & { model?: string } = {}): Promise<RunResult> {
    return this.#action(`/runs/${segment(runId)}/resume`, { ...options });
  }

  /** Cancels the run. */
  cancel(runId: string, options: ActionRequest & { reason?: string } = {}): Promise<RunResult> {
    return this.#action(`/runs/${segment(runId)}/cancel`, options);
  }

  /** The run's events with sequence ≥ `from` (default all). */
  events(runId: string, options: { from?: number } = {}): Promise<EventPage> {
    return this.#scoped(`/runs/${segment(runId)}/events`, { query: { from: options.from } });
  }

  /** The runs branched from this one. */
  async branches(runId: string): Promise<RunSummary[]> {
    return (await this.#scoped<{ branches: RunSummary[] }>(`/runs/${segment(runId)}/branches`))
      .branches;
  }

  /** The run exported as a document (Markdown with front matter, JSON, YAML or HTML). */
  exportRun(
    runId: string,
    options: { format: ExportFormat; history?: boolean },
  ): Promise<string> {
    return this.#scoped(`/runs/${segment(runId)}/export`, {
      query: { format: options.format, history: options.history ? true : undefined },
      text: true,
    });
  }

  /**
   * The word diff between two texts of runs, each named `RUN` (its article),
   * `RUN:step` (the step's chosen text) or `RUN:step:N` (its N-th candidate)
   * with full run ids; runs of two branches compare their articles.
   */
  diff(from: string, to: string): Promise<TextDiffResponse> {
    return this.#scoped("/diff", { query: { from, to } });
  }

  // --- operations ------------------------------------------------------------------------

  /** The workspace's LLM cache statistics (null when the server has none). */
  async cacheStats(): Promise<CacheStatsReport | null> {
    const body = await this.#scoped<{ workspace?: string; stats?: CacheStatsReport | null }>(
      "/cache/stats",
    );
    if (!body.stats) return null;
    return body.workspace === undefined ? body.stats : { workspace: body.workspace, ...body.stats };
  }

  /** The OpenAPI document. */
  openApi(): Promise<Record<string, unknown>> {
    return this.#request("/api/openapi.json");
  }

  /** Follows a run over the WebSocket (reconnecting, resuming, de-duplicating). */
  watch(runId: string, options: WatchOptions = {}): RunSocket {
    return new RunSocket({
      ...options,
      baseUrl: this.baseUrl,
      runId,
      token: this.#options.token,
      workspace: this.workspace,
      client: this.#options.client,
    });
  }

  // --- transport -------------------------------------------------------------------------

  #scoped<T>(route: string, options: RequestOptions = {}): Promise<T> {
    return this.#request(scopedPath(route, this.workspace), options);
  }

  async #action(route: string, body: unknown): Promise<RunResult> {
    const { status, value } = await this.#send<{ run: PipelineRun; driving?: boolean }>(
      scopedPath(route, this.workspace),
      { method: "POST", body },
    );
    return { run: value.run, driving: value.driving ?? status === 202 };
  }

  async #request<T>(path: string, options: RequestOptions = {}): Promise<T> {
    return (await this.#send<T>(path, options)).value;
  }

  async #send<T>(path: string, options: RequestOptions): Promise<{ status: number; value: T }> {
    const url = apiUrl(this.baseUrl, path, options.query);
    const headers: Record<string, string> = {
      accept: options.text ? "*/*" : "application/json",
    };
    if (this.#options.token) headers.authorization = `Bearer ${this.#options.token}`;
    if (this.#options.client) headers["x-writeit-client"] = this.#options.client;
    const method = options.method ?? "GET";
    // The server takes state changes only as JSON, so a bare action still sends {}.
    const body = options.body ?? (method === "GET" ? undefined : {});
    if (body !== undefined) headers["content-type"] = "application/json";
    const init: RequestInit = {
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
    };
    const retry = this.#options.retry;
    for (let attempt = 0;; attempt++) {
      let response: Response;
      try {
        response = await this.#fetch(url, init);
      } catch (error) {
        throw new WriteItNetworkError(url, { cause: error });
      }
      if (response.ok) {
        if (options.text) return { status: response.status, value: await response.text() as T };
        const text = await response.text();
        try {
          return { status: response.status, value: JSON.parse(text) as T };
        } catch (error) {
          throw new WriteItNetworkError(url, {
            cause: new SyntaxError(
              `the answer (${response.status}) is not JSON: ${text.slice(0, 80)}`,
              { cause: error },
            ),
          });
        }
      }
      const error = await apiErrorFromResponse(response, { url });
      const retryable = response.status === 429 || response.status === 503;
      if (!retry || !retryable || attempt >= retry.attempts) throw error;
      const delay = error.retryAfter !== undefined
        ? error.retryAfter * 1000
        : Math.min(8000, 500 * 2 ** attempt);
      if (delay > (retry.maxDelayMs ?? 30_000)) throw error;
      await new Promise((resolve) => setTimeout(resolve, delay));
    }
  }
}
