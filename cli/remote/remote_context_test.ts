/**
 * How the CLI decides a command runs through a server, and how the remote
 * context reads its options.
 */
import assert from "node:assert/strict";
import { WriteItApiError } from "../../client/mod.ts";
import { ValidationError } from "../../engine/errors.ts";
import { RemoteContext, remotely, serverFrom } from "./remote_context.ts";

Deno.test("serverFrom() reads --server URL, --server=URL, then WRITEIT_SERVER, and stops at --", () => {
  assert.equal(serverFrom(["--server", "http://a:1", "runs", "list"], {}), "http://a:1");
  assert.equal(serverFrom(["runs", "list", "--server=http://b:2"], {}), "http://b:2");
  assert.equal(serverFrom(["runs", "list"], { WRITEIT_SERVER: "http://c:3" }), "http://c:3");
  assert.equal(
    serverFrom(["--server", "http://a:1"], { WRITEIT_SERVER: "http://c:3" }),
    "http://a:1",
    "the flag wins over the environment",
  );
  assert.equal(serverFrom(["runs", "list"], { WRITEIT_SERVER: "" }), undefined);
  assert.equal(serverFrom(["run", "x", "--", "--server", "http://a:1"], {}), undefined);
  assert.equal(serverFrom(["--server"], {}), "", "a missing URL still selects remote mode");
});

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
