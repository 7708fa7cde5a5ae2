/**
 * `GET /api/diff?from=…&to=…`: the word diff between two texts of the
 * workspace's runs, each named `RUN` (the run's article), `RUN:step` (the
 * step's chosen text) or `RUN:step:N` (its N-th candidate) with full run
 * ids, so two branches compare their articles with `from=A&to=B`. A name
 * that cannot be read is a 422; a run, step or candidate that does not
 * exist is a 404 that says what there is.
 */
import { Hono } from "hono";
import {
  diffDocument,
  parseTextReference,
  referencedText,
  textDiff,
} from "../../engine/text_reference.ts";
import { DiffQuery, type TextDiffResponse } from "../../protocol/mod.ts";
import type { ApiEnv } from "./api_env.ts";
import { parseBody } from "./request_body.ts";

/** The diff route, mounted at `/api/diff` (and per workspace). */
export function diffRoutes(): Hono<ApiEnv> {
  const routes = new Hono<ApiEnv>();
  routes.get("/", async (context) => {
    const query = parseBody(DiffQuery, context.req.query(), "query");
    const { store } = context.get("runtime");
    const [from, to] = await Promise.all([query.from, query.to].map(async (name) => {
      const reference = parseTextReference(name);
      return referencedText(await store.loadRun(reference.run), reference);
    }));
    const body: TextDiffResponse = diffDocument(textDiff(from, to));
    return context.json(body);
  });
  return routes;
}
