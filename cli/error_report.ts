/**
 * Turns any error that reaches the top of the CLI into one clear message and
 * an exit code: 0 success, 1 a validation or runtime failure, 2 a usage
 * error, 130 interrupted (Ctrl-C). Never a stack trace, unless WRITEIT_DEBUG is set.
 */
import { CommanderError } from "commander";
import { CancelledError, formatIssue, ValidationError, WriteItError } from "../engine/errors.ts";
import { printable } from "../engine/printable.ts";
import type { Output } from "./output.ts";
import { UsageError } from "./usage_error.ts";

/** Exit codes. */
export const EXIT_OK = 0;
export const EXIT_FAILURE = 1;
export const EXIT_USAGE = 2;
/** Interrupted by the user (Ctrl-C), as shells report SIGINT. */
export const EXIT_INTERRUPTED = 130;

/** Reports `error` through `output` and returns the exit code. */
export function reportError(
  error: unknown,
  output: Output,
  options: { debug?: boolean } = {},
): number {
  if (error instanceof CommanderError) {
    if (
      error.code === "commander.helpDisplayed" || error.code === "commander.version" ||
      error.code === "commander.help"
    ) {
      return EXIT_OK;
    }
    // commander already printed its message.
    return EXIT_USAGE;
  }
  if (error instanceof Deno.errors.BrokenPipe) return EXIT_OK; // the reader went away (`| head`)
  const code = error instanceof CancelledError
    ? EXIT_INTERRUPTED
    : error instanceof UsageError
    ? EXIT_USAGE
    : EXIT_FAILURE;
  if (output.json) {
    const body = error instanceof WriteItError
      ? {
        code: error.code,
        message: error.message,
        ...(error instanceof ValidationError && error.issues.length
          ? { issues: error.issues }
          : {}),
      }
      : { code: "internal_error", message: String((error as Error)?.message ?? error) };
    output.printJsonLine({ error: body });
    return code;
  }
  const { styles } = output;
  if (error instanceof CancelledError) {
    output.note(printable(error.message, { multiline: true })); // the user stopped it: not an error
    return code;
  }
  if (error instanceof WriteItError) {
    output.note(`${styles.red("error:")} ${printable(error.message, { multiline: true })}`);
    if (error instanceof ValidationError) {
      const located = error.issues.length > 1 || error.issues.some((issue) => issue.line);
      if (located) { for (const issue of error.issues) output.note(`  ${formatIssue(issue)}`); }
    }
  } else {
    const message = error instanceof Error ? error.message : String(error);
    output.note(
      `${styles.red("error:")} unexpected failure: ${printable(message, { multiline: true })}`,
    );
    output.note("Run again with WRITEIT_DEBUG=1 to see where it happened.");
  }
  if (options.debug && error instanceof Error && error.stack) output.note(error.stack);
  return code;
}
