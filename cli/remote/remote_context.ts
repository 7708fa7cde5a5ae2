/**
 * What a `writeit --server URL …` command gets: the server URL, the token
 * (`--token`, else WRITEIT_API_TOKEN), the workspace (`--workspace`, else
 * WRITEIT_WORKSPACE, else the server's default), a `WriteItClient` for them,
 * and the output writer. Also finds the server a command line asks for
 * (`--server`, else WRITEIT_SERVER) before any command is parsed, so
 * `cli.ts` can switch the program to the server (cli/command_mode.ts).
 */
import type { Command } from "commander";
import { type Environment, processEnvironment } from "../../environment.ts";
import { ValidationError } from "../../engine/errors.ts";
import { WriteItApiError } from "../../client/api_error.ts";
import { WriteItClient } from "../../client/writeit_client.ts";
import { Output } from "../output.ts";
import { UsageError } from "../usage_error.ts";
import { invokedCommand } from "../invoked_command.ts";
import { resolveHome } from "../../storage/lmdb/workspaces.ts";

/** Global options a remote command may carry. */
export interface RemoteOptions {
  home?: string;
  server?: string;
  token?: string;
  workspace?: string;
  json?: boolean;
  color?: boolean;
}

/** Per-invocation context of a remote command. */
export class RemoteContext {
  readonly server: string;
  readonly workspace?: string;
  readonly client: WriteItClient;
  readonly output: Output;
  /** The environment the command runs in (for $EDITOR). */
  readonly env: Environment;
  /** The WriteIt home on this machine, for the prompts' history (none when HOME is unset). */
  readonly home?: string;
  /** Exit code for a command that printed its own failure; 0 by default. */
  exitCode = 0;

  constructor(options: RemoteOptions, env: Environment) {
    this.env = env;
    try {
      this.home = resolveHome(env, options.home);
    } catch {
      // No home folder: the prompts keep their history in memory only.
    }
    this.output = new Output({
      json: options.json ?? false,
      colour: options.color === false ? false : undefined,
      env,
    });
    const server = options.server ?? env.WRITEIT_SERVER;
    if (!server) {
      throw new UsageError("--server needs a URL, like --server http://127.0.0.1:8484");
    }
    this.server = server.replace(/\/+$/, "");
    this.workspace = options.workspace ?? (env.WRITEIT_WORKSPACE || undefined);
    const token = options.token ?? (env.WRITEIT_API_TOKEN || undefined);
    try {
      this.client = new WriteItClient({
        baseUrl: this.server,
        token,
        workspace: this.workspace,
        retry: { attempts: 2, maxDelayMs: 10_000 },
        client: "cli",
      });
    } catch (error) {
      throw new UsageError(`--server: ${(error as Error).message}`);
    }
  }

  /** Whether output should be JSON. */
  get json(): boolean {
    return this.output.json;
  }

  /** `writeit --server URL [--workspace W]` (as the writer typed `writeit`), for "continue with" hints. */
  command(): string {
    return `${invokedCommand(this.env)} --server ${this.server}${
      this.workspace ? ` --workspace ${this.workspace}` : ""
    }`;
  }
}

const contexts = new WeakMap<Command, RemoteContext>();

/** The remote context of a running command (one per invocation). */
export function remoteContext(command: Command): RemoteContext {
  let root: Command = command;
  while (root.parent) root = root.parent;
  let context = contexts.get(root);
  if (!context) {
    context = new RemoteContext(command.optsWithGlobals<RemoteOptions>(), processEnvironment());
    contexts.set(root, context);
  }
  return context;
}

/** The exit code a remote command set (0 when none ran). */
export function remoteExitCode(program: Command): number {
  return contexts.get(program)?.exitCode ?? 0;
}

/**
 * Runs a remote command body; a 422 with located issues becomes a
 * ValidationError, so the CLI prints every issue like it does locally.
 */
export async function remotely<T>(body: () => Promise<T>): Promise<T> {
  try {
    return await body();
  } catch (error) {
    if (
      error instanceof WriteItApiError && error.status === 422 &&
      Array.isArray(error.problem.issues) && error.problem.issues.length > 0
    ) {
      throw new ValidationError(error.problem.detail, error.problem.issues, { cause: error });
    }
    throw error;
  }
}
