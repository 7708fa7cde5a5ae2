/**
 * `writeit completion bash|zsh|fish` prints a script that completes commands,
 * subcommands and options (taken from the command tree when the script is
 * generated) and pipelines, workspaces, styles and run ids (asked of the
 * hidden `writeit __complete <kind>` at each Tab, so they stay current).
 *
 * Install (the folders made first, as a fresh home has none):
 * `mkdir -p ~/.local/share/bash-completion/completions && writeit completion bash > ~/.local/share/bash-completion/completions/writeit`,
 * `echo 'source <(writeit completion zsh)' >> ~/.zshrc`,
 * `mkdir -p ~/.config/fish/completions && writeit completion fish > ~/.config/fish/completions/writeit.fish`.
 */
import type { Argument, Command, Option } from "commander";
import { localOnly } from "../command_mode.ts";
import { cliContext } from "../cli_context.ts";
import { UsageError } from "../usage_error.ts";

/** Values a dynamic completion can list. */
export const COMPLETION_KINDS = ["pipelines", "workspaces", "styles", "runs"] as const;
export type CompletionKind = (typeof COMPLETION_KINDS)[number];

/** What a position completes to: a dynamic kind, fixed words, files, or nothing. */
type ValueKind = CompletionKind | "files" | "none" | { words: string[] };

/** One command of the tree, flattened. */
interface CommandNode {
  /** Space-separated path below the program (`""` for the program, `"workspace use"`). */
  path: string;
  subcommands: string[];
  /** Every option spelling (`--json`, `-w`). */
  options: string[];
  /** Option spelling → what its value completes to (only options that take a value). */
  optionValues: Map<string, ValueKind>;
  /** Positional arguments, in order. */
  arguments: ValueKind[];
}

function isHidden(command: Command): boolean {
  return Boolean((command as unknown as { _hidden?: boolean })._hidden);
}

function kindForName(name: string, commandPath: string): ValueKind {
  const lower = name.toLowerCase();
  if (lower.includes("pipeline")) return "pipelines";
  if (lower === "run" || lower.startsWith("run_") || lower === "runid") return "runs";
  if (lower.includes("style")) return "styles";
  if (lower.includes("workspace")) return "workspaces";
  if (lower.includes("file") || lower.includes("path")) return "files";
  if (lower === "shell") return { words: ["bash", "zsh", "fish"] };
  if (lower === "name" || lower === "names") {
    const root = commandPath.split(" ")[0];
    if (root === "workspace") return commandPath === "workspace create" ? "none" : "workspaces";
    if (root === "style") return "styles";
    if (root === "pipeline") return "pipelines";
  }
  return "none";
}

function optionKind(option: Option, commandPath: string): ValueKind {
  if (option.argChoices?.length) return { words: [...option.argChoices] };
  const long = option.long ?? "";
  if (long === "--workspace") return "workspaces";
  if (long === "--style") return "styles";
  if (long === "--home" || long === "--output" || long === "--inputs") return "files";
  if (long === "--format") return { words: ["md", "json", "yaml", "html"] };
  if (long === "--model") return "none";
  return kindForName(long.replace(/^--/, ""), commandPath);
}

/** Flattens the visible command tree of `program`. */
export function commandTree(program: Command): CommandNode[] {
  const nodes: CommandNode[] = [];
  const globalOptions = program.options.filter((option) =>
    !option.hidden && option.long !== "--version"
  );
  const visit = (command: Command, path: string) => {
    const options = path === "" ? [...command.options] : [...command.options, ...globalOptions];
    const optionValues = new Map<string, ValueKind>();
    const spellings: string[] = [];
    for (const option of options) {
      if (option.hidden) continue;
      const names = [option.long, option.short].filter((name): name is string => Boolean(name));
      spellings.push(...names);
      if (option.required || option.optional) {
        for (const name of names) optionValues.set(name, optionKind(option, path));
      }
    }
    spellings.push("--help");
    const visible = command.commands.filter((sub) => !isHidden(sub));
    nodes.push({
      path,
      subcommands: visible.map((sub) => sub.name()),
      options: [...new Set(spellings)],
      optionValues,
      arguments: command.registeredArguments.map((argument: Argument) =>
        kindForName(argument.name(), path)
      ),
    });
    for (const sub of visible) visit(sub, path ? `${path} ${sub.name()}` : sub.name());
  };
  visit(program, "");
  return nodes;
}

function shellWords(kind: ValueKind): string {
  if (typeof kind === "string") return kind;
  return `words:${kind.words.join(" ")}`;
}

function quote(text: string): string {
  return `'${text.replace(/'/g, `'\\''`)}'`;
}

/** The bash completion script (also used by zsh through bashcompinit). */
export function bashScript(program: Command): string {
  const nodes = commandTree(program);
  const name = program.name();
  const fn = `_${name.replace(/[^A-Za-z0-9_]/g, "_")}`;
  const subs = nodes.filter((node) => node.subcommands.length)
    .map((node) => `    ${quote(node.path)}) echo ${quote(node.subcommands.join(" "))} ;;`);
  const options = nodes.map((node) =>
    `    ${quote(node.path)}) echo ${quote(node.options.join(" "))} ;;`
  );
  const optionKinds: string[] = [];
  for (const node of nodes) {
    for (const [spelling, kind] of node.optionValues) {
      optionKinds.push(
        `    ${quote(`${node.path}|${spelling}`)}) echo ${quote(shellWords(kind))} ;;`,
      );
    }
  }
  const argumentKinds: string[] = [];
  for (const node of nodes) {
    node.arguments.forEach((kind, index) => {
      argumentKinds.push(
        `    ${quote(`${node.path}|${index + 1}`)}) echo ${quote(shellWords(kind))} ;;`,
      );
    });
  }
  return `# ${name} completion for bash (and zsh via bashcompinit). Generated by \`${name} completion bash\`.
${fn}_subcommands() {
  case "$1" in
${subs.join("\n")}
  esac
}
${fn}_options() {
  case "$1" in
${options.join("\n")}
  esac
}
${fn}_option_kind() {
  case "$1|$2" in
${optionKinds.join("\n")}
    *) return 1 ;;
  esac
}
${fn}_argument_kind() {
  case "$1|$2" in
${argumentKinds.join("\n")}
    *) echo none ;;
  esac
}
${fn}_values() {
  local kind="$1" cur="$2"
  case "$kind" in
    pipelines|workspaces|styles|runs)
      local IFS=$'\\n'
      COMPREPLY=( $(compgen -W "$(${name} __complete "$kind" 2>/dev/null)" -- "$cur") ) ;;
    files) COMPREPLY=( $(compgen -f -- "$cur") ) ;;
    words:*) COMPREPLY=( $(compgen -W "\${kind#words:}" -- "$cur") ) ;;
    *) COMPREPLY=() ;;
  esac
}
${fn}() {
  local cur="\${COMP_WORDS[COMP_CWORD]}" prev="" path="" word kind i positional=0 skip=0
  (( COMP_CWORD > 0 )) && prev="\${COMP_WORDS[COMP_CWORD-1]}"
  for (( i = 1; i < COMP_CWORD; i++ )); do
    word="\${COMP_WORDS[i]}"
    if (( skip )); then skip=0; continue; fi
    if [[ "$word" == -* ]]; then
      [[ "$word" != *=* ]] && ${fn}_option_kind "$path" "$word" >/dev/null && skip=1
      continue
    fi
    if (( positional == 0 )) && [[ " $(${fn}_subcommands "$path") " == *" $word "* ]]; then
      path="\${path:+$path }$word"
    else
      positional=$(( positional + 1 ))
    fi
  done
  if [[ "$prev" == -* ]] && kind="$(${fn}_option_kind "$path" "$prev")"; then
    ${fn}_values "$kind" "$cur"
    return 0
  fi
  if [[ "$cur" == -* ]]; then
    COMPREPLY=( $(compgen -W "$(${fn}_options "$path")" -- "$cur") )
    return 0
  fi
  local subcommands
  subcommands="$(${fn}_subcommands "$path")"
  if [[ -n "$subcommands" ]] && (( positional == 0 )); then
    COMPREPLY=( $(compgen -W "$subcommands" -- "$cur") )
    return 0
  fi
  ${fn}_values "$(${fn}_argument_kind "$path" $(( positional + 1 )))" "$cur"
  return 0
}
complete -F ${fn} ${name}
`;
}

/**
 * The zsh script: the bash functions through zsh's bashcompinit. It is meant
 * to be sourced from ~/.zshrc, not autoloaded from fpath (so no #compdef).
 */
export function zshScript(program: Command): string {
  const name = program.name();
  return `# ${name} completion for zsh. Generated by \`${name} completion zsh\`.
# Load it from ~/.zshrc with: source <(${name} completion zsh)
autoload -U +X compinit && compinit -u 2>/dev/null
autoload -U +X bashcompinit && bashcompinit
${bashScript(program)}`;
}

/** The fish script. */
export function fishScript(program: Command): string {
  const nodes = commandTree(program);
  const name = program.name();
  const lines = [`# ${name} completion for fish. Generated by \`${name} completion fish\`.`];
  lines.push(`complete -c ${name} -f`);
  const condition = (path: string) => {
    if (path === "") return "__fish_use_subcommand";
    const parts = path.split(" ");
    const seen = parts.map((part) => `__fish_seen_subcommand_from ${part}`).join("; and ");
    return seen;
  };
  const valueArgument = (kind: ValueKind) => {
    if (typeof kind === "object") return `-a ${quote(kind.words.join(" "))}`;
    if (kind === "files") return "-F";
    if (kind === "none") return "";
    return `-a ${quote(`(${name} __complete ${kind} 2>/dev/null)`)}`;
  };
  for (const node of nodes) {
    const when = quote(condition(node.path));
    if (node.subcommands.length) {
      // Offer the subcommands only until one of them is on the line.
      const pending = node.path === "" ? when : quote(
        `${condition(node.path)}; and not __fish_seen_subcommand_from ${
          node.subcommands.join(" ")
        }`,
      );
      lines.push(`complete -c ${name} -n ${pending} -a ${quote(node.subcommands.join(" "))}`);
    }
    for (const spelling of node.options) {
      if (spelling === "--help" && node.path !== "") continue;
      const flag = spelling.startsWith("--")
        ? `-l ${spelling.slice(2)}`
        : `-s ${spelling.slice(1)}`;
      const kind = node.optionValues.get(spelling);
      const value = kind ? ` -r ${valueArgument(kind)}` : "";
      lines.push(`complete -c ${name} -n ${when} ${flag}${value}`.trimEnd());
    }
    const first = node.arguments[0];
    if (first && !node.subcommands.length) {
      const value = valueArgument(first);
      if (value) lines.push(`complete -c ${name} -n ${when} ${value}`);
    }
  }
  return lines.join("\n") + "\n";
}

async function completionValues(command: Command, kind: CompletionKind): Promise<string[]> {
  const context = cliContext(command);
  switch (kind) {
    case "pipelines":
      return (await context.library("pipeline")).list().map((entry) => entry.name);
    case "styles":
      return (await context.library("style")).list().map((entry) => entry.name);
    case "workspaces":
      return context.workspaces.isInitialised()
        ? context.workspaces.list().map((info) => info.name)
        : [];
    case "runs": {
      if (!context.workspaces.isInitialised()) return [];
      const { openRunStore } = await import("../run_wiring.ts");
      const store = await openRunStore(context);
      return (await store.listRuns({ limit: 1000 })).map((run) => run.runId);
    }
  }
}

function rootOf(command: Command): Command {
  return command.parent ? rootOf(command.parent) : command;
}

/** Registers `completion` and the hidden `__complete`. */
export function registerCompletionCommand(program: Command): void {
  localOnly(program.command("completion"))
    .description("print a shell completion script (bash, zsh or fish)")
    .argument("<shell>", "bash, zsh or fish")
    .addHelpText(
      "after",
      "\nInstall:\n  bash: mkdir -p ~/.local/share/bash-completion/completions && writeit completion bash > ~/.local/share/bash-completion/completions/writeit\n  zsh:  echo 'source <(writeit completion zsh)' >> ~/.zshrc\n  fish: mkdir -p ~/.config/fish/completions && writeit completion fish > ~/.config/fish/completions/writeit.fish",
    )
    .action(function (this: Command, shell: string) {
      const root = rootOf(this);
      const scripts: Record<string, (program: Command) => string> = {
        bash: bashScript,
        zsh: zshScript,
        fish: fishScript,
      };
      const script = scripts[shell];
      if (!script) throw new UsageError(`Unknown shell "${shell}": use bash, zsh or fish`);
      cliContext(this).output.write(script(root));
    });

  localOnly(program.command("__complete", { hidden: true }))
    .description("list values for shell completion")
    .argument("<kind>", COMPLETION_KINDS.join(", "))
    .action(async function (this: Command, kind: string) {
      if (!(COMPLETION_KINDS as readonly string[]).includes(kind)) {
        throw new UsageError(
          `Unknown completion kind "${kind}": use ${COMPLETION_KINDS.join(", ")}`,
        );
      }
      const values = await completionValues(this, kind as CompletionKind).catch(() => []);
      const output = cliContext(this).output;
      for (const value of values) output.print(value);
    });
}
