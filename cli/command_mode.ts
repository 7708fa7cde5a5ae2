/**
 * Where a command runs: in this process (the workspace's engine and storage,
 * through `CliContext`) or on a WriteIt server (`--server URL` or
 * WRITEIT_SERVER, through `RemoteContext` and the typed client). The program
 * is one command tree; `serveThroughServer()` switches it to the server, so
 * a command marked `localOnly()` refuses there (exit 2) and every other
 * command opens the server's side of its data port with `openPort()`.
 *
 * @example
 * ```ts
 * const { scope, port } = await openPort(command, {
 *   local: async (context) => (await import("./sources/local_runs_source.ts")).localRunsSource(context),
 *   remote: async (context) => (await import("./remote/remote_runs_source.ts")).remoteRunsSource(context),
 * });
 * ```
 */
import type { Command } from "commander";
import type { CliContext } from "./cli_context.ts";
import type { Output } from "./output.ts";
import type { RemoteContext } from "./remote/remote_context.ts";
import { UsageError } from "./usage_error.ts";

/** What a command's output goes through, in either mode. */
export interface CommandScope {
  readonly output: Output;
  readonly json: boolean;
  /** Exit code for a command that printed its own failure; 0 by default. */
  exitCode: number;
}

/** How to open a command's data port in each mode. */
export interface PortOpeners<Port> {
  local(context: CliContext): Promise<Port> | Port;
  remote(context: RemoteContext): Promise<Port> | Port;
}

const localOnlyCommands = new WeakSet<Command>();
const remotePrograms = new WeakSet<Command>();

/** Marks `command` (and everything under it) as having no meaning on a server. */
export function localOnly(command: Command): Command {
  localOnlyCommands.add(command);
  return command;
}

/** Whether `command` was marked `localOnly()`. */
export function isLocalOnly(command: Command): boolean {
  return localOnlyCommands.has(command);
}

function rootOf(command: Command): Command {
  let root = command;
  while (root.parent) root = root.parent;
  return root;
}

function pathOf(command: Command): string {
  const names: string[] = [];
  for (let at: Command | null = command; at?.parent; at = at.parent) names.unshift(at.name());
  return names.join(" ");
}

/** Whether the invocation `command` belongs to runs through a server. */
export function throughServer(command: Command): boolean {
  return remotePrograms.has(rootOf(command));
}

/**
 * Makes `program` run its commands through the server: the program's help
 * says so, and a `localOnly()` command, before it parses anything, fails
 * with a UsageError naming it.
 */
export function serveThroughServer(program: Command): Command {
  remotePrograms.add(program);
  program.description(
    "Write articles with LLM pipelines, through a WriteIt server (--server or $WRITEIT_SERVER).",
  );
  const visit = (command: Command) => {
    command.hook("preSubcommand", (_parent, subcommand) => {
      if (!isLocalOnly(subcommand)) return;
      throw new UsageError(
        `"writeit ${
          pathOf(subcommand)
        }" is not available with --server: run it on the server machine`,
      );
    });
    for (const subcommand of command.commands) {
      if (isLocalOnly(subcommand)) {
        subcommand.description(`${subcommand.description()} (not available with --server)`);
      } else {
        visit(subcommand);
      }
    }
  };
  visit(program);
  return program;
}

/** The command's data port for the mode it runs in, with the scope its output goes through. */
export async function openPort<Port>(
  command: Command,
  openers: PortOpeners<Port>,
): Promise<{ scope: CommandScope; port: Port }> {
  if (throughServer(command)) {
    const { remoteContext } = await import("./remote/remote_context.ts");
    const context = remoteContext(command);
    return { scope: context, port: await openers.remote(context) };
  }
  const { cliContext } = await import("./cli_context.ts");
  const context = cliContext(command);
  return { scope: context, port: await openers.local(context) };
}
