/**
 * The CLI has one command tree: `--server` switches the same program to the
 * server, so both modes offer the same commands, arguments and options, and
 * only the commands marked local only refuse.
 */
import assert from "node:assert/strict";
import type { Command } from "commander";
import { buildProgram } from "../cli.ts";
import { isLocalOnly, serveThroughServer, throughServer } from "./command_mode.ts";
import { UsageError } from "./usage_error.ts";

interface Shape {
  path: string;
  aliases: string[];
  arguments: string[];
  options: string[];
  localOnly: boolean;
}

function shapes(program: Command): Shape[] {
  const rows: Shape[] = [];
  const visit = (command: Command, path: string, localOnly: boolean) => {
    rows.push({
      path,
      aliases: command.aliases(),
      arguments: command.registeredArguments.map((argument) =>
        `${argument.required ? "<" : "["}${argument.name()}${argument.variadic ? "..." : ""}`
      ),
      options: command.options.map((option) => option.flags),
      localOnly,
    });
    for (const sub of command.commands) {
      visit(sub, path ? `${path} ${sub.name()}` : sub.name(), localOnly || isLocalOnly(sub));
    }
  };
  visit(program, "", false);
  return rows;
}

Deno.test("buildProgram() offers the same commands, arguments and options with and without --server", async () => {
  const local = await buildProgram();
  const remote = serveThroughServer(await buildProgram());
  assert.equal(throughServer(local), false);
  assert.equal(throughServer(remote.commands[0]), true);
  assert.deepEqual(shapes(remote), shapes(local));
});

Deno.test("With --server the runs, pipeline, workspace list, export, cache stats and run commands work; the rest refuse", async () => {
  const served = shapes(await buildProgram()).filter((shape) => shape.path && !shape.localOnly)
    .map((shape) => shape.path);
  assert.deepEqual(served.sort(), [
    "cache",
    "cache stats",
    "diff",
    "export",
    "pipeline",
    "pipeline list",
    "pipeline show",
    "pipeline validate",
    "run",
    "runs",
    "runs events",
    "runs list",
    "runs show",
    "workspace",
    "workspace list",
  ]);
});

Deno.test("serveThroughServer() makes a local-only command refuse before it parses its arguments", async () => {
  for (
    const [args, path] of [
      [["doctor"], "doctor"],
      [["style", "show"], "style"],
      [["runs", "prune", "--no-such-option"], "runs prune"],
      [["workspace", "use", "team"], "workspace use"],
    ]
  ) {
    const program = serveThroughServer(await buildProgram());
    await assert.rejects(
      program.parseAsync(args as string[], { from: "user" }),
      (error: Error) => {
        assert.ok(error instanceof UsageError);
        assert.equal(
          error.message,
          `"writeit ${path}" is not available with --server: run it on the server machine`,
        );
        return true;
      },
    );
  }
});

Deno.test("Only cli.ts builds a commander program, so no second command tree grows under cli/", async () => {
  const found: string[] = [];
  const walk = async (folder: URL) => {
    for await (const entry of Deno.readDir(folder)) {
      const url = new URL(entry.name + (entry.isDirectory ? "/" : ""), folder);
      if (entry.isDirectory) await walk(url);
      else if (entry.name.endsWith(".ts") && !entry.name.endsWith("_test.ts")) {
        if ((await Deno.readTextFile(url)).includes("new Command(")) found.push(entry.name);
      }
    }
  };
  await walk(new URL("./", import.meta.url));
  assert.deepEqual(found, []);
});
