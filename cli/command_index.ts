/**
 * The top-level commands and the module that registers each, so that a
 * command line loads only the module of the command it runs: `writeit runs
 * list` pays for `cli/commands/runs.ts` and what it imports, `writeit
 * --help` for none of them. The top-level help is drawn from the terms and
 * descriptions listed here (a test checks they match what the modules
 * register); `completion` and a name nobody claims load every module, so the
 * completion script sees the whole tree and a typo still gets its
 * "did you mean".
 *
 * @example
 * ```ts
 * const program = baseProgram();
 * await registerCommandsFor(program, ["runs", "list"]);
 * await program.parseAsync(["runs", "list"], { from: "user" });
 * ```
 */
import type { Command } from "commander";
import { localOnly } from "./command_mode.ts";

/** One top-level command as the help lists it. */
export interface CommandSummary {
  name: string;
  /** What follows the name in the command list: `[options] <pipeline>`. */
  usage: string;
  description: string;
  /** Has no meaning with `--server` (see `localOnly`). */
  localOnly?: boolean;
}

/** A module under `cli/commands/` and the top-level commands it registers, in order. */
interface CommandModule {
  commands: readonly CommandSummary[];
  load(): Promise<(program: Command) => void>;
  /** Needs the whole command tree to act (completion scripts). */
  needsAll?: boolean;
}

/** The modules in registration order, which is the order of the help. */
const COMMAND_MODULES: readonly CommandModule[] = [
  {
    commands: [
      {
        name: "init",
        usage: "[options]",
        description: "create the WriteIt home and its default workspace (safe to repeat)",
        localOnly: true,
      },
      {
        name: "workspace",
        usage: "",
        description: "manage workspaces (separate runs, caches and files)",
      },
    ],
    load: async () => (await import("./commands/workspace.ts")).registerWorkspaceCommands,
  },
  {
    commands: [{ name: "pipeline", usage: "", description: "list, show and validate pipelines" }],
    load: async () => (await import("./commands/pipeline.ts")).registerPipelineCommands,
  },
  {
    commands: [{
      name: "style",
      usage: "",
      description: "list, show and validate style primers",
      localOnly: true,
    }],
    load: async () => (await import("./commands/style.ts")).registerStyleCommands,
  },
  {
    commands: [{
      name: "config",
      usage: "",
      description: "show and change settings (layered: default < global < workspace < env < flag)",
      localOnly: true,
    }],
    load: async () => (await import("./commands/config.ts")).registerConfigCommands,
  },
  {
    commands: [{
      name: "cache",
      usage: "",
      description: "the LLM response cache of the workspace",
    }],
    load: async () => (await import("./commands/cache.ts")).registerCacheCommands,
  },
  {
    commands: [{
      name: "doctor",
      usage: "[options]",
      description: "check providers, keys, storage and cache",
      localOnly: true,
    }],
    load: async () => (await import("./commands/doctor.ts")).registerDoctorCommand,
  },
  {
    commands: [
      {
        name: "run",
        usage: "[options] <pipeline>",
        description: "run a pipeline: answer its inputs, steer every step, get an article",
      },
      {
        name: "resume",
        usage: "[options] <run>",
        description: "continue a run where it stopped (interactive, or with --yes)",
        localOnly: true,
      },
      {
        name: "branch",
        usage: "[options] <run>",
        description: "fork a run at a step: a new run that keeps the earlier steps",
        localOnly: true,
      },
      {
        name: "rewind",
        usage: "[options] <run>",
        description: "send a run back to a step (history is kept); later steps become stale",
        localOnly: true,
      },
    ],
    load: async () => (await import("./commands/run.ts")).registerRunCommands,
  },
  {
    commands: [{
      name: "runs",
      usage: "",
      description: "list and inspect runs and their event logs",
    }],
    load: async () => (await import("./commands/runs.ts")).registerRunsCommands,
  },
  {
    commands: [{
      name: "export",
      usage: "[options] <run>",
      description: "export a run's article (md with front matter, json, yaml or html)",
    }],
    load: async () => (await import("./commands/export.ts")).registerExportCommand,
  },
  {
    commands: [{
      name: "diff",
      usage: "[options] <from> <to>",
      description: "word diff of two texts: RUN (its article), RUN:step or RUN:step:N",
    }],
    load: async () => (await import("./commands/diff.ts")).registerDiffCommand,
  },
  {
    commands: [{
      name: "serve",
      usage: "[options]",
      description: "run the API and dashboard server (loopback by default)",
      localOnly: true,
    }],
    load: async () => (await import("./commands/serve.ts")).registerServeCommand,
  },
  {
    commands: [
      {
        name: "completion",
        usage: "<shell>",
        description: "print a shell completion script (bash, zsh or fish)",
        localOnly: true,
      },
      { name: "__complete", usage: "<kind>", description: "", localOnly: true },
    ],
    load: async () => (await import("./commands/completion.ts")).registerCompletionCommand,
    needsAll: true,
  },
];

/** Every top-level command as the help lists it, in order (hidden ones left out). */
export function commandSummaries(): CommandSummary[] {
  return COMMAND_MODULES.flatMap((module) => module.commands)
    .filter((command) => !command.name.startsWith("__"));
}

/** Global options that take a value, so that the command's name is found after them. */
const VALUE_OPTIONS = new Set(["-w", "--workspace", "--home", "--server", "--token"]);

/**
 * The top-level command a command line names, `help NAME` included; undefined
 * when it names none (`writeit`, `writeit --help`, `writeit -V`).
 */
export function commandNameOf(args: readonly string[]): string | undefined {
  for (let index = 0; index < args.length; index++) {
    const arg = args[index];
    if (arg === "--") return args[index + 1];
    if (VALUE_OPTIONS.has(arg)) {
      index++;
      continue;
    }
    if (arg.startsWith("-")) continue;
    if (arg === "help") return args[index + 1];
    return arg;
  }
  return undefined;
}

/**
 * Registers on `program` what the command line `args` needs: the module of
 * the command it names; every module for `completion`, for a name nobody
 * claims and when `all` is set; for no command at all (the top-level help
 * and `--version`), only summaries that list the commands.
 */
export async function registerCommandsFor(
  program: Command,
  args: readonly string[],
  options: { all?: boolean } = {},
): Promise<void> {
  const name = commandNameOf(args);
  if (name === undefined && !options.all) {
    registerSummaries(program);
    return;
  }
  const owner = COMMAND_MODULES.find((module) =>
    module.commands.some((command) => command.name === name)
  );
  const modules = options.all || !owner || owner.needsAll ? COMMAND_MODULES : [owner];
  const registers = await Promise.all(modules.map((module) => module.load()));
  for (const register of registers) register(program);
}

/** Commands that only show in the help: the program is asked for its help or version, never to run one. */
function registerSummaries(program: Command): void {
  const usages = new Map<string, string>();
  for (const summary of commandSummaries()) {
    const command = program.command(summary.name).description(summary.description);
    if (summary.localOnly) localOnly(command);
    usages.set(summary.name, summary.usage);
  }
  program.configureHelp({
    subcommandTerm: (command) => {
      const usage = usages.get(command.name());
      if (usage === undefined) return `${command.name()} [command]`;
      return usage ? `${command.name()} ${usage}` : command.name();
    },
  });
}
