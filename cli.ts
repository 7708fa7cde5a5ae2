/**
 * The `writeit` command line. Thin: it declares the commands and hands each
 * to its module under `cli/commands/`; errors become one clear line and an
 * exit code (0 success, 1 failure, 2 usage error). With `--server URL` (or
 * WRITEIT_SERVER) the same commands work through the server's API
 * (cli/command_mode.ts), and the ones marked local only refuse.
 *
 * Run it as `./writeit …` (installs what is missing first) or `deno task cli …`.
 */
import { Command } from "commander";
import { debugEnabled, processEnvironment } from "./environment.ts";
import { reportError } from "./cli/error_report.ts";
import { Output } from "./cli/output.ts";
import { VERSION } from "./engine/version.ts";
import { registerCommandsFor } from "./cli/command_index.ts";
import { serveThroughServer } from "./cli/command_mode.ts";
import { serverFrom } from "./cli/server_option.ts";

/**
 * Builds the program with what the command line `args` needs registered
 * (cli/command_index.ts), or with every command when `args` is left out.
 */
export async function buildProgram(args?: readonly string[]): Promise<Command> {
  const program = new Command("writeit")
    .description("Write articles with LLM pipelines, a human choosing at every step.")
    .version(VERSION, "-V, --version")
    .option(
      "-w, --workspace <name>",
      "workspace to use (default: $WRITEIT_WORKSPACE, else the active one)",
    )
    .option("--home <dir>", "WriteIt home folder (default: $WRITEIT_HOME, else ~/.writeit)")
    .option("--no-color", "plain output without colours")
    .option(
      "--server <url>",
      "run the command on a WriteIt server through its API (default: $WRITEIT_SERVER)",
    )
    .option("--token <token>", "API token for --server (default: $WRITEIT_API_TOKEN)")
    .showSuggestionAfterError(true)
    .exitOverride()
    .configureOutput({
      writeOut: (text) => Deno.stdout.writeSync(new TextEncoder().encode(text)),
      writeErr: (text) => Deno.stderr.writeSync(new TextEncoder().encode(text)),
    });
  await registerCommandsFor(program, args ?? [], { all: args === undefined });
  return program;
}

if (import.meta.main) {
  const args = Deno.args.length === 0 ? ["--help"] : Deno.args;
  const env = processEnvironment();
  // With --server (or WRITEIT_SERVER) the commands run through the API client.
  const remote = serverFrom(args, env) !== undefined;
  const built = await buildProgram(args);
  const program = remote ? serveThroughServer(built) : built;
  let exitCode = 0;
  try {
    const parse = () => program.parseAsync(args, { from: "user" });
    await (remote ? (await import("./cli/remote/remote_context.ts")).remotely(parse) : parse());
  } catch (error) {
    const json = args.includes("--json");
    const colour = args.includes("--no-color") ? false : undefined;
    exitCode = reportError(error, new Output({ json, colour, env }), {
      debug: debugEnabled(env),
    });
  } finally {
    const commandExitCode = remote
      ? (await import("./cli/remote/remote_context.ts")).remoteExitCode(program)
      : await (await import("./cli/cli_context.ts")).closeCliContext(program);
    if (exitCode === 0) exitCode = commandExitCode;
  }
  Deno.exit(exitCode);
}
