/**
 * What every command gets: the WriteIt home, the selected workspace, the
 * resolved configuration, the workspace's backend (the one the configuration
 * selects, through wiring/backend_choice.ts), the pipeline and style
 * libraries, and the output writer. Heavy parts (YAML, the storage adapter)
 * load only when a command asks for them, so `writeit --help` starts fast.
 *
 * Workspace selection: `--workspace NAME`, else WRITEIT_WORKSPACE, else the
 * active workspace (`writeit workspace use`), else "default". A home that
 * was never initialised is initialised on first use of the default
 * workspace; any other missing workspace is an error.
 */
import type { Command } from "commander";
import type { ResolvedConfig } from "../config.ts";
import { type Environment, processEnvironment } from "../environment.ts";
import type { Backend } from "../engine/backend.ts";
import type { Library } from "../engine/library.ts";
import {
  DEFAULT_WORKSPACE,
  resolveHome,
  type WorkspaceInfo,
  Workspaces,
} from "../storage/lmdb/workspaces.ts";
import { commandWithFlags } from "./invoked_command.ts";
import { Output } from "./output.ts";

/** Options every command may carry (global ones come from the program). */
export interface CommonOptions {
  workspace?: string;
  home?: string;
  json?: boolean;
  color?: boolean;
}

/** Per-invocation context shared by the commands. */
export class CliContext {
  readonly options: CommonOptions;
  readonly output: Output;
  readonly home: string;
  readonly workspaces: Workspaces;
  readonly env: Environment;
  /** Exit code for a command that printed its own failure (such as `--json` results); 0 by default. */
  exitCode = 0;
  #config?: ResolvedConfig;
  #backend?: Promise<Backend>;
  #workspace?: WorkspaceInfo;
  #closers: (() => Promise<void> | void)[] = [];
  #flags: Record<string, string | number | boolean> = {};

  constructor(options: CommonOptions, env: Environment) {
    this.options = options;
    this.env = env;
    this.home = resolveHome(env, options.home);
    this.workspaces = new Workspaces(this.home);
    this.output = new Output({
      json: options.json ?? false,
      colour: options.color === false ? false : undefined,
      env,
    });
  }

  /** Whether output should be JSON. */
  get json(): boolean {
    return this.output.json;
  }

  /**
   * The command to type for another WriteIt command on the same data, for
   * hints: `./writeit` or `writeit` as the writer ran it, with `--home` and
   * `--workspace` when they were given as flags.
   */
  command(): string {
    return commandWithFlags(this.env, this.options);
  }

  /** The name of the selected workspace (not checked). */
  workspaceName(): string {
    return this.options.workspace ?? (this.env.WRITEIT_WORKSPACE || undefined) ??
      this.workspaces.activeName();
  }

  /** The selected workspace; initialises a fresh home for the default workspace. */
  workspace(): WorkspaceInfo {
    if (this.#workspace) return this.#workspace;
    const name = this.workspaceName();
    if (name === DEFAULT_WORKSPACE && !this.workspaces.isInitialised()) {
      this.workspaces.init();
      this.output.note(`Initialised WriteIt in ${this.home} (workspace "${DEFAULT_WORKSPACE}")`);
    }
    this.#workspace = this.workspaces.info(name);
    return this.#workspace;
  }

  /** Sets a setting for this command, as a command-line flag does (`--replay-pace`: cache.replay_pace). */
  setFlag(key: string, value: string | number | boolean): void {
    this.#flags[key] = value;
    this.#config = undefined;
  }

  /** The resolved configuration for the selected workspace. */
  async config(flags: Record<string, string | number | boolean | undefined> = {}): Promise<
    ResolvedConfig
  > {
    if (this.#config && Object.keys(flags).length === 0) return this.#config;
    const { resolveConfig } = await import("../config.ts");
    const resolved = resolveConfig({
      home: this.home,
      workspaceRoot: this.workspace().path,
      env: this.env,
      flags: { ...this.#flags, ...flags },
    });
    if (Object.keys(flags).length === 0) this.#config = resolved;
    return resolved;
  }

  /** The selected workspace's backend, opened once and closed at exit. */
  backend(): Promise<Backend> {
    this.#backend ??= this.#openBackend();
    return this.#backend;
  }

  async #openBackend(): Promise<Backend> {
    const config = await this.config();
    const workspace = this.workspace().name;
    const { openWorkspaceBackend } = await import("../wiring/backend_choice.ts");
    const backend = await openWorkspaceBackend(config, { home: this.home, workspace });
    this.onClose(() => backend.close());
    return backend;
  }

  /** The pipeline or style library as seen from the selected workspace. */
  async library(kind: "pipeline" | "style"): Promise<Library> {
    const { FolderLibrary, libraryFolders } = await import("../storage/lmdb/library.ts");
    let workspaceRoot: string | undefined;
    try {
      workspaceRoot = this.workspace().path;
    } catch (error) {
      // Without a workspace the global and bundled libraries still work.
      if (this.options.workspace) throw error;
    }
    return new FolderLibrary(kind, libraryFolders(kind, { home: this.home, workspaceRoot }));
  }

  /** Registers a cleanup that runs when the command ends. */
  onClose(closer: () => Promise<void> | void): void {
    this.#closers.push(closer);
  }

  /** Runs the cleanups, last registered first. */
  async close(): Promise<void> {
    for (const closer of this.#closers.reverse()) await closer();
    this.#closers = [];
  }
}

const contexts = new WeakMap<Command, CliContext>();

/** The context of a running command (one per invocation). */
export function cliContext(command: Command): CliContext {
  let root: Command = command;
  while (root.parent) root = root.parent;
  let context = contexts.get(root);
  if (!context) {
    context = new CliContext(command.optsWithGlobals<CommonOptions>(), processEnvironment());
    contexts.set(root, context);
  }
  return context;
}

/** Closes the context of a program run, if one was made; returns the exit code a command set. */
export async function closeCliContext(program: Command): Promise<number> {
  const context = contexts.get(program);
  await context?.close();
  return context?.exitCode ?? 0;
}
