/**
 * The `writeit` program for `--server URL` (or WRITEIT_SERVER): the commands
 * that work through the API (`runs list|show|events`, `pipeline
 * list|show|validate`, `workspace list`, `export`, `run`, `cache stats`),
 * and, for every other command of the local program, a stand-in that says
 * it is not available remotely (exit 2) instead of quietly acting on the
 * local machine.
 */
import { Command } from "commander";
import { VERSION } from "../../engine/version.ts";
import { UsageError } from "../usage_error.ts";
import { registerRemoteCacheCommands } from "./remote_cache.ts";
import { registerRemoteExportCommand } from "./remote_export.ts";
import { registerRemotePipelineCommands } from "./remote_pipeline.ts";
import { registerRemoteRunCommand } from "./remote_run.ts";
import { registerRemoteRunsCommands } from "./remote_runs.ts";
import { registerRemoteWorkspaceCommands } from "./remote_workspace.ts";

function unavailable(path: string): never {
  throw new UsageError(
    `"writeit ${path}" is not available with --server: run it on the server machine`,
  );
}

/** Adds a stand-in for `local` (and its subcommands) under `parent`. */
function standIn(parent: Command, local: Command, path: string): void {
  // commander keeps "hidden" private; a hidden local command stays hidden here.
  const hidden = (local as unknown as { _hidden?: boolean })._hidden === true;
  const command = parent.command(local.name(), { hidden })
    .description(`${local.description()} (not available with --server)`)
    .allowUnknownOption()
    .allowExcessArguments()
    .helpOption(false)
    .argument("[arguments...]")
    .action(() => unavailable(path));
  for (const alias of local.aliases()) command.alias(alias);
}

/** Mirrors `local`'s commands: the remote version where there is one, else a stand-in. */
function mirror(remote: Command, local: Command, prefix: string): void {
  for (const command of local.commands) {
    const path = `${prefix}${command.name()}`;
    const twin = remote.commands.find((candidate) => candidate.name() === command.name());
    if (!twin) {
      standIn(remote, command, path);
      continue;
    }
    if (command.commands.length > 0) mirror(twin, command, `${path} `);
  }
}

/** Builds the remote program; `local` is the ordinary program whose commands it mirrors. */
export function buildRemoteProgram(local: Command): Command {
  const program = new Command("writeit")
    .description(
      "Write articles with LLM pipelines, through a WriteIt server (--server or $WRITEIT_SERVER).",
    )
    .version(VERSION, "-V, --version")
    .option("--server <url>", "the WriteIt server (default: $WRITEIT_SERVER)")
    .option("--token <token>", "the server's API token (default: $WRITEIT_API_TOKEN)")
    .option(
      "-w, --workspace <name>",
      "workspace on the server (default: $WRITEIT_WORKSPACE, else the server's default)",
    )
    .option("--home <dir>", "ignored with --server")
    .option("--no-color", "plain output without colours")
    .showSuggestionAfterError(true)
    .exitOverride()
    .configureOutput({
      writeOut: (text) => Deno.stdout.writeSync(new TextEncoder().encode(text)),
      writeErr: (text) => Deno.stderr.writeSync(new TextEncoder().encode(text)),
    });
  registerRemoteWorkspaceCommands(program);
  registerRemotePipelineCommands(program);
  registerRemoteCacheCommands(program);
  registerRemoteRunCommand(program);
  registerRemoteRunsCommands(program);
  registerRemoteExportCommand(program);
  mirror(program, local, "");
  return program;
}
