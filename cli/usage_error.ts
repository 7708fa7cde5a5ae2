/**
 * A command line that cannot be acted on (a missing argument, flags that
 * contradict each other). The CLI exits with code 2 for it, as for
 * commander's own parse errors.
 */
import { WriteItError } from "../engine/errors.ts";

/** Wrong use of the command line; exit code 2. */
export class UsageError extends WriteItError {
  constructor(message: string) {
    super("usage", message);
  }
}
