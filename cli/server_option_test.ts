/** How the CLI decides a command runs through a server. */
import assert from "node:assert/strict";
import { serverFrom } from "./server_option.ts";

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
