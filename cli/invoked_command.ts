/**
 * The command the writer typed to start WriteIt, so that hints such as
 * "Continue later with: … resume RUN" name what works in their shell:
 * `./writeit` when they ran the launcher from the project folder, `writeit`
 * when it is on their PATH. The launcher script (`./writeit`) passes its
 * `$0` as WRITEIT_COMMAND; bash gives `$0` as typed for a relative path and
 * as the full path when the command was found on the PATH. Without it
 * (`deno task cli`, a compiled binary) the hint says `writeit`.
 *
 * @example
 * ```ts
 * invokedCommand({ WRITEIT_COMMAND: "./writeit" }); // "./writeit"
 * invokedCommand({ WRITEIT_COMMAND: "/usr/local/bin/writeit", PATH: "/usr/local/bin" }); // "writeit"
 * ```
 */
import { basename, join } from "node:path";
import type { Environment } from "../environment.ts";

function shellQuoted(word: string): string {
  return /^[\w./@:+-]+$/.test(word) ? word : `'${word.replace(/'/g, `'\\''`)}'`;
}

/** How to type the WriteIt command again in the writer's shell. */
export function invokedCommand(env: Environment): string {
  const typed = env.WRITEIT_COMMAND?.trim();
  if (!typed) return "writeit";
  if (typed.startsWith("/")) {
    const name = basename(typed);
    const folders = (env.PATH ?? "").split(":").filter(Boolean);
    if (folders.some((folder) => join(folder, name) === typed)) return shellQuoted(name);
  }
  return shellQuoted(typed);
}

/**
 * The command with the global flags a later command needs to reach the same
 * data (`--home`, `--workspace`), when they were given as flags.
 */
export function commandWithFlags(
  env: Environment,
  flags: { home?: string; workspace?: string },
): string {
  return [
    invokedCommand(env),
    ...(flags.home ? ["--home", shellQuoted(flags.home)] : []),
    ...(flags.workspace ? ["--workspace", shellQuoted(flags.workspace)] : []),
  ].join(" ");
}
