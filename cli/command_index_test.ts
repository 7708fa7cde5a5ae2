/**
 * The lazily built program: the top-level help drawn from the index is the
 * help of the whole program, locally and with --server, and a command line
 * loads the module of the command it names.
 */
import assert from "node:assert/strict";
import { Command } from "commander";
import { buildProgram } from "../cli.ts";
import { commandNameOf, commandSummaries, registerCommandsFor } from "./command_index.ts";
import { serveThroughServer } from "./command_mode.ts";

function helpOf(program: Command): string {
  program.configureOutput({ getOutHelpWidth: () => 100, getErrHelpWidth: () => 100 });
  return program.helpInformation();
}

Deno.test("The top-level help from the command index equals the whole program's, locally and with --server", async () => {
  assert.equal(helpOf(await buildProgram(["--help"])), helpOf(await buildProgram()));
  assert.equal(
    helpOf(serveThroughServer(await buildProgram(["--help"]))),
    helpOf(serveThroughServer(await buildProgram())),
  );
});

Deno.test("commandSummaries() lists every visible top-level command the modules register, in order", async () => {
  const program = await buildProgram();
  const registered = program.commands.filter((command) =>
    !(command as unknown as { _hidden: boolean })._hidden
  )
    .map((command) => command.name());
  assert.deepEqual(commandSummaries().map((summary) => summary.name), registered);
});

Deno.test("commandNameOf() finds the command after global options and their values", () => {
  assert.equal(commandNameOf(["runs", "list"]), "runs");
  assert.equal(commandNameOf(["--home", "/tmp/h", "-w", "team", "run", "x"]), "run");
  assert.equal(commandNameOf(["--server", "http://a:1", "--no-color", "export", "r"]), "export");
  assert.equal(commandNameOf(["--home=/tmp/h", "cache", "stats"]), "cache");
  assert.equal(commandNameOf(["help", "resume"]), "resume");
  assert.equal(commandNameOf(["--help"]), undefined);
  assert.equal(commandNameOf(["-V"]), undefined);
  assert.equal(commandNameOf([]), undefined);
});

Deno.test("registerCommandsFor() loads the named command's module, every module for completion or an unknown name", async () => {
  const names = async (args: string[]) => {
    const program = new Command("writeit");
    await registerCommandsFor(program, args);
    return program.commands.map((command) => command.name());
  };
  assert.deepEqual(await names(["runs", "list"]), ["runs"]);
  assert.deepEqual(await names(["resume", "abc"]), ["run", "resume", "branch", "rewind"]);
  const all = (await buildProgram()).commands.map((command) => command.name());
  assert.deepEqual(await names(["completion", "bash"]), all);
  assert.deepEqual(await names(["rnu"]), all);
});
