import assert from "node:assert/strict";
import { commandWithFlags, invokedCommand } from "./invoked_command.ts";

Deno.test("invokedCommand() names the launcher as typed, or its name when the PATH found it", () => {
  assert.equal(invokedCommand({}), "writeit");
  assert.equal(invokedCommand({ WRITEIT_COMMAND: "./writeit" }), "./writeit");
  assert.equal(invokedCommand({ WRITEIT_COMMAND: "../wt/writeit" }), "../wt/writeit");
  assert.equal(
    invokedCommand({
      WRITEIT_COMMAND: "/home/me/.local/bin/writeit",
      PATH: "/usr/bin:/home/me/.local/bin",
    }),
    "writeit",
  );
  assert.equal(
    invokedCommand({ WRITEIT_COMMAND: "/opt/write it/writeit", PATH: "/usr/bin" }),
    "'/opt/write it/writeit'",
  );
});

Deno.test("commandWithFlags() adds --home and --workspace when they were given", () => {
  assert.equal(
    commandWithFlags({ WRITEIT_COMMAND: "./writeit" }, { workspace: "blog" }),
    "./writeit --workspace blog",
  );
  assert.equal(commandWithFlags({}, { home: "/tmp/my home" }), "writeit --home '/tmp/my home'");
});
