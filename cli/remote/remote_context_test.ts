/**
 * How the remote context reads its options and turns located 422s into
 * validation errors.
 */
import assert from "node:assert/strict";
import { WriteItApiError } from "../../client/mod.ts";
import { ValidationError } from "../../engine/errors.ts";
import { RemoteContext, remotely } from "./remote_context.ts";

Deno.test("RemoteContext takes the token and workspace from flags, else the environment", () => {
  const fromEnv = new RemoteContext({ server: "http://h:1/" }, {
    WRITEIT_API_TOKEN: "t",
    WRITEIT_WORKSPACE: "team",
  });
  assert.equal(fromEnv.server, "http://h:1");
  assert.equal(fromEnv.workspace, "team");
  assert.equal(fromEnv.client.workspace, "team");
  assert.equal(fromEnv.command(), "writeit --server http://h:1 --workspace team");
  const fromFlags = new RemoteContext({ server: "http://h:1", workspace: "w" }, {
    WRITEIT_WORKSPACE: "team",
  });
  assert.equal(fromFlags.workspace, "w");
  assert.throws(() => new RemoteContext({ server: "" }, {}), /--server needs a URL/);
  assert.throws(() => new RemoteContext({ server: "ftp://x" }, {}), /must start with http/);
});

Deno.test("remotely() turns a 422 with issues into a ValidationError and passes others through", async () => {
  const issues = [{ severity: "error" as const, message: "Missing steps", path: "steps", line: 2 }];
  const invalid = new WriteItApiError({
    type: "t",
    title: "validation failed",
    status: 422,
    detail: "Pipeline is invalid",
    code: "validation_failed",
    issues,
  });
  const error = await remotely(() => Promise.reject(invalid)).catch((error) => error);
  assert.ok(error instanceof ValidationError);
  assert.equal(error.message, "Pipeline is invalid");
  assert.deepEqual(error.issues, issues);
  const conflict = new WriteItApiError({
    type: "t",
    title: "conflict",
    status: 409,
    detail: "Leased",
    code: "run_leased",
  });
  assert.equal(await remotely(() => Promise.reject(conflict)).catch((error) => error), conflict);
  assert.equal(await remotely(() => Promise.resolve(7)), 7);
});
