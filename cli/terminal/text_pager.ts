/**
 * Shows a long text one screen at a time, as git and gh do: through
 * `$PAGER` (run by `sh`, so it may carry arguments), else `less -R` when
 * `less` is on the PATH, when the text is taller than the terminal. A text
 * that fits, output that is not a terminal (a pipe, a log), an empty
 * `$PAGER` or `PAGER=cat` print it as it is. A pager that cannot start (exit
 * 126 or 127) is said once and the text printed instead.
 *
 * @example
 * ```ts
 * await pageText(article, { env: context.env, output: context.output });
 * ```
 */
import { existsSync } from "node:fs";
import { join } from "node:path";
import { type Output, visibleLength } from "../output.ts";

/** The pager to use: `$PAGER`, else `less -R` if found on `PATH`; undefined for none. */
export function pagerCommand(env: Record<string, string | undefined>): string | undefined {
  if (env.PAGER !== undefined) {
    const pager = env.PAGER.trim();
    return pager === "" || pager === "cat" ? undefined : pager;
  }
  const folders = (env.PATH ?? "").split(":").filter(Boolean);
  return folders.some((folder) => existsSync(join(folder, "less"))) ? "less -R" : undefined;
}

/** Rows `text` takes on a screen `columns` wide, long lines wrapped. */
export function screenRows(text: string, columns: number): number {
  return text.split("\n").reduce(
    (rows, line) => rows + Math.max(1, Math.ceil(visibleLength(line) / Math.max(1, columns))),
    0,
  );
}

function screenSize(): { columns: number; rows: number } | undefined {
  try {
    return Deno.consoleSize();
  } catch {
    return undefined;
  }
}

/**
 * Prints `text`, or hands it to the pager when it is taller than the
 * terminal (less a line for the prompt that follows).
 */
export async function pageText(
  text: string,
  options: { env: Record<string, string | undefined>; output: Output },
): Promise<void> {
  const { output } = options;
  const size = output.interactive && Deno.stdin.isTerminal() ? screenSize() : undefined;
  const pager = size && screenRows(text, size.columns) > size.rows - 1
    ? pagerCommand(options.env)
    : undefined;
  if (!pager) {
    output.print(text);
    return;
  }
  const child = new Deno.Command("sh", {
    args: ["-c", pager],
    stdin: "piped",
    stdout: "inherit",
    stderr: "inherit",
  }).spawn();
  const writer = child.stdin.getWriter();
  // A pager quit before the end closes its input: what is left is not wanted.
  await writer.write(new TextEncoder().encode(text.endsWith("\n") ? text : text + "\n"))
    .catch(() => undefined);
  await writer.close().catch(() => undefined);
  const status = await child.status;
  if (status.code === 126 || status.code === 127) {
    output.print(
      output.styles.yellow(
        `The pager "${pager}" could not start (exit ${status.code}): set $PAGER to another one, or PAGER=cat for none.`,
      ),
    );
    output.print(text);
  }
}
