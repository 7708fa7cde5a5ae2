/**
 * The dashboard's pages, server-rendered with Preact: home (`/`), runs
 * (`/runs`), pipelines (`/pipelines`, `/pipelines/{name}`), a run
 * (`/runs/{id}`), and `/login` for servers with a token; plus the built
 * islands and stylesheet under `/static/*`. Every page takes
 * `?workspace=NAME` (default: the hub's default workspace). When the server
 * has a token, pages need the `writeit_token` cookie that `/login?token=…`
 * sets; the same HttpOnly cookie authenticates the islands' API calls and
 * sockets, so no page ever contains the token.
 *
 * @example
 * ```ts
 * app.route("/", pageRoutes(hub, { token }));
 * ```
 */
import { Hono } from "hono";
import type { Context } from "hono";
import { getCookie, setCookie } from "hono/cookie";
import { TOKEN_COOKIE } from "../token_check.ts";
import { h } from "preact";
import { summarizeRun } from "../../engine/events/event_store.ts";
import { NotFoundError, ValidationError, WriteItError } from "../../engine/errors.ts";
import type { PipelineRun } from "../../engine/run_model.ts";
import { isRunStatus, RUN_STATUSES } from "../../engine/run_status.ts";
import { checkPipelineEntry } from "../../engine/pipeline_check.ts";
import type { BranchNode } from "../../islands/branch_tree.tsx";
import type { WorkspaceHub, WorkspaceRuntime } from "../../server/workspace_hub.ts";
import { type IslandBundle, islandBundle, staticRoutes } from "../../server/island_bundle.ts";
import type { RelatedRun } from "../../islands/compare_view.tsx";
import type { StepInfo } from "../../islands/run_view.tsx";
import { HomePage } from "./home_page.tsx";
import { LoginPage } from "./login_page.tsx";
import { MessagePage } from "./message_page.tsx";
import { PipelinePage } from "./pipeline_page.tsx";
import { type PipelineRow, PipelinesPage } from "./pipelines_page.tsx";
import { type PageContent, renderPage } from "./render_page.tsx";
import { RunPage } from "./run_page.tsx";
import { RunsPage } from "./runs_page.tsx";

/** Options of `pageRoutes`. */
export interface PageRoutesOptions {
  /** The server's token; when set, pages require the `writeit_token` cookie. */
  token?: string;
  /** The built islands (default: built once per process on first use). */
  bundle?: IslandBundle | Promise<IslandBundle>;
  /** Models suggested in the start form besides "offline". */
  modelSuggestions?: string[];
  /** Most runs in a family tree shown on a run page (default 200). */
  maxBranchNodes?: number;
}

export { TOKEN_COOKIE };

function sameText(a: string, b: string): boolean {
  let difference = a.length ^ b.length;
  for (let index = 0; index < Math.max(a.length, b.length); index++) {
    difference |= (a.charCodeAt(index) || 0) ^ (b.charCodeAt(index) || 0);
  }
  return difference === 0;
}

/** A relative path to return to after login (never another origin). */
function safeNext(value: string | undefined): string {
  return value && value.startsWith("/") && !value.startsWith("//") && !value.includes("\\")
    ? value
    : "/";
}

/** The page routes (mount at "/"). */
export function pageRoutes(hub: WorkspaceHub, options: PageRoutesOptions = {}): Hono {
  const app = new Hono();
  const bundle = options.bundle ?? islandBundle();
  const token = options.token;
  const suggestions = ["offline", ...(options.modelSuggestions ?? [])];
  app.route("/static", staticRoutes(bundle));

  const page = async (
    _context: Context,
    content: Omit<PageContent, "workspaces" | "workspace"> & { workspace?: string },
  ) =>
    renderPage(await bundle, {
      ...content,
      workspace: content.workspace ?? hub.defaultWorkspace,
      workspaces: await hub.names(),
    });

  const failurePage = async (context: Context, error: unknown) => {
    const status = error instanceof NotFoundError
      ? 404
      : error instanceof ValidationError
      ? 422
      : 500;
    const detail = error instanceof WriteItError
      ? error.message
      : "Something went wrong on the server; the details are in its log.";
    if (status === 500) console.error(error);
    return await page(context, {
      title: status === 404 ? "Not found" : "Error",
      section: "error",
      status,
      workspace: workspaceOf(context),
      body: h(MessagePage, {
        title: status === 404 ? "Not found" : "Something went wrong",
        detail,
      }),
    });
  };

  const workspaceOf = (context: Context): string =>
    context.req.query("workspace") || hub.defaultWorkspace;

  const login = async (
    context: Context,
    given: string | undefined,
    nextText: string | undefined,
  ) => {
    const next = safeNext(nextText);
    if (!token) return context.redirect(next, 303);
    if (given !== undefined && sameText(given, token)) {
      setCookie(context, TOKEN_COOKIE, given, {
        httpOnly: true,
        sameSite: "Strict",
        path: "/",
      });
      return context.redirect(next, 303);
    }
    return await page(context, {
      title: "Sign in",
      section: "login",
      status: given === undefined ? 200 : 401,
      body: h(LoginPage, {
        next,
        problem: given === undefined ? undefined : "That token is not this server's token.",
      }),
    });
  };
  app.get(
    "/login",
    (context) => login(context, context.req.query("token"), context.req.query("next")),
  );
  app.post("/login", async (context) => {
    const form = await context.req.parseBody().catch(() => ({} as Record<string, unknown>));
    const given = typeof form.token === "string" ? form.token : "";
    return await login(context, given, typeof form.next === "string" ? form.next : undefined);
  });

  if (token) {
    app.use("*", async function requirePageToken(context, next) {
      if (context.req.path.startsWith("/static/")) return await next();
      const cookie = getCookie(context, TOKEN_COOKIE);
      if (cookie !== undefined && sameText(cookie, token)) return await next();
      const target = context.req.path + (new URL(context.req.url).search || "");
      return context.redirect(`/login?next=${encodeURIComponent(target)}`, 303);
    });
  }

  const guarded = (
    handler: (context: Context, runtime: WorkspaceRuntime) => Promise<Response>,
  ) =>
  async (context: Context) => {
    try {
      return await handler(context, await hub.open(workspaceOf(context)));
    } catch (error) {
      return await failurePage(context, error);
    }
  };

  app.get(
    "/",
    guarded(async (context, runtime) => {
      const runs = await runtime.service.listRuns({ limit: 15 });
      return await page(context, {
        title: "Home",
        section: "home",
        workspace: runtime.name,
        body: h(HomePage, {
          workspace: runtime.name,
          defaultWorkspace: hub.defaultWorkspace,
          workspaces: await hub.names(),
          runs,
          cache: runtime.cacheStats(),
        }),
      });
    }),
  );

  app.get(
    "/runs",
    guarded(async (context, runtime) => {
      const status = context.req.query("status") || undefined;
      const pipeline = context.req.query("pipeline") || undefined;
      const query = context.req.query("q")?.trim().slice(0, 200) || undefined;
      if (status !== undefined && !isRunStatus(status)) {
        throw new ValidationError(
          `Unknown run status "${status}": use one of ${RUN_STATUSES.join(", ")}`,
        );
      }
      const filter = {
        ...(status ? { status } : {}),
        ...(pipeline ? { pipelineId: pipeline } : {}),
        limit: 200,
      };
      const runs = query
        ? await runtime.service.searchRuns(query, filter)
        : await runtime.service.listRuns(filter);
      return await page(context, {
        title: "Runs",
        section: "runs",
        workspace: runtime.name,
        body: h(RunsPage, {
          workspace: runtime.name,
          runs,
          status,
          pipeline,
          query,
          pipelines: runtime.pipelines.list().map((entry) => entry.name),
        }),
      });
    }),
  );

  app.get(
    "/pipelines",
    guarded(async (context, runtime) => {
      const rows: PipelineRow[] = runtime.pipelines.list().map((entry) => {
        const check = checkPipelineEntry(runtime.pipelines, runtime.styles, entry);
        return {
          name: entry.name,
          origin: entry.origin,
          title: check.pipeline?.metadata.name ?? "",
          description: check.pipeline?.metadata.description ?? "",
          steps: check.pipeline?.steps.map((step) => step.id) ?? [],
          errors: check.issues.filter((issue) => issue.severity === "error").length,
          warnings: check.issues.filter((issue) => issue.severity === "warning").length,
        };
      });
      return await page(context, {
        title: "Pipelines",
        section: "pipelines",
        workspace: runtime.name,
        body: h(PipelinesPage, { workspace: runtime.name, pipelines: rows }),
      });
    }),
  );

  app.get(
    "/pipelines/:name",
    guarded(async (context, runtime) => {
      const entry = runtime.pipelines.findName(context.req.param("name") ?? "");
      const check = checkPipelineEntry(runtime.pipelines, runtime.styles, entry);
      const pipeline = check.pipeline;
      return await page(context, {
        title: pipeline?.metadata.name ?? entry.name,
        section: "pipelines",
        workspace: runtime.name,
        body: h(PipelinePage, {
          name: entry.name,
          origin: entry.origin,
          source: runtime.pipelines.read(entry),
          pipeline,
          issues: check.issues,
          form: pipeline
            ? {
              pipeline: entry.name,
              inputs: pipeline.inputs,
              workspace: runtime.name,
              ...(token ? { signedIn: true } : {}),
              modelSuggestions: suggestions,
            }
            : undefined,
        }),
      });
    }),
  );

  app.get(
    "/runs/:id",
    guarded(async (context, runtime) => {
      const runId = context.req.param("id") ?? "";
      const run = await runtime.service.loadRun(runId).catch((error) => {
        // Said for a browser user: where to look, not which command to type.
        if (!(error instanceof NotFoundError)) throw error;
        throw new NotFoundError(
          `There is no run "${
            runId.slice(0, 80)
          }" in workspace "${runtime.name}": the Runs page lists this workspace's runs, and the workspace menu switches to another`,
        );
      });
      const steps: Record<string, StepInfo> = {};
      try {
        const pipeline = await runtime.service.pipelineOf(runId);
        for (const step of pipeline.steps) {
          steps[step.id] = {
            name: step.name,
            ...(step.description ? { description: step.description } : {}),
            allowFeedback: step.allowFeedback,
          };
        }
      } catch {
        // A run whose pipeline is not stored still shows, with step ids as names.
      }
      const tree = await familyTree(runtime, run, options.maxBranchNodes ?? 200);
      return await page(context, {
        title: `Run ${runId}`,
        section: "runs",
        workspace: runtime.name,
        body: h(RunPage, {
          view: {
            tree,
            run: pageRun(run),
            driving: runtime.driver.isDriving(runId),
            steps,
            related: relatedRuns(tree, runId),
            workspace: runtime.name,
            ...(token ? { signedIn: true } : {}),
          },
        }),
      });
    }),
  );

  return app;
}

/**
 * The run as the page needs it: without what the island never draws (the
 * prompts sent, the raw outputs beside the processed texts, the stored
 * pipeline definition), which would otherwise repeat every text of the run
 * several times in the page. The API still serves the whole state.
 */
export function pageRun(run: PipelineRun): PipelineRun {
  const steps: PipelineRun["steps"] = {};
  for (const [id, step] of Object.entries(run.steps)) {
    const { prompt: _prompt, systemPrompt: _system, ...rest } = step;
    steps[id] = {
      ...rest,
      responses: step.responses.map((response) => ({
        ...response,
        promptUsed: "-",
        rawOutput: "",
      })),
    };
  }
  const { pipeline: _pipeline, ...options } = run.options ?? {};
  return { ...run, steps, ...(run.options ? { options } : {}) };
}

/** The run's family: up to the root through `parentRunId`, then every branch below it. */
async function familyTree(
  runtime: WorkspaceRuntime,
  run: PipelineRun,
  limit: number,
): Promise<BranchNode> {
  let root = run;
  const seen = new Set([run.runId]);
  while (root.parentRunId && !seen.has(root.parentRunId) && seen.size < limit) {
    seen.add(root.parentRunId);
    try {
      root = await runtime.service.loadRun(root.parentRunId);
    } catch {
      break; // the parent was deleted by retention: this run is the top of what is left
    }
  }
  let count = 0;
  const build = async (state: PipelineRun): Promise<BranchNode> => {
    count++;
    const node: BranchNode = { run: summarizeRun(state), children: [] };
    for (const childId of await runtime.store.branches(state.runId)) {
      if (count >= limit) break;
      try {
        node.children.push(
          await build(childId === run.runId ? run : await runtime.service.loadRun(childId)),
        );
      } catch {
        // a branch removed meanwhile
      }
    }
    return node;
  };
  return await build(root.runId === run.runId ? run : root);
}

/** Every other run of the tree, labelled for the compare view. */
function relatedRuns(tree: BranchNode, currentRunId: string): RelatedRun[] {
  const runs: RelatedRun[] = [];
  const visit = (node: BranchNode) => {
    if (node.run.runId !== currentRunId) {
      runs.push({
        runId: node.run.runId,
        label: node.run.branchPoint
          ? `branch from “${node.run.branchPoint.stepId}” (${node.run.status})`
          : `original (${node.run.status})`,
      });
    }
    node.children.forEach(visit);
  };
  visit(tree);
  return runs;
}
