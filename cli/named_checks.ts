/**
 * Checks several library entries named on the command line (`pipeline
 * validate a b c`, `style validate …`): a name that finds nothing becomes
 * that entry's problem, and the other names are still checked, so every
 * problem is reported at once.
 */
import { NotFoundError, type ValidationIssue } from "../engine/errors.ts";
import type { Library, LibraryEntry } from "../engine/library.ts";

/** What every check result has; a command's own result type adds optional fields. */
export interface NamedCheck {
  entry: LibraryEntry;
  issues: ValidationIssue[];
}

/** Checks each of `names` with `check`, in order. */
export function checkNamed<T extends NamedCheck>(
  library: Library,
  names: string[],
  check: (entry: LibraryEntry) => T | Promise<T>,
): Promise<T[]> {
  return Promise.all(names.map((name) => {
    let entry: LibraryEntry;
    try {
      entry = library.find(name);
    } catch (error) {
      if (!(error instanceof NotFoundError)) throw error;
      // Only entry and issues: the other fields of a command's result are optional.
      return {
        entry: { name, path: name, origin: "path", shadows: [] },
        issues: [{ severity: "error", message: error.message, path: "" }],
      } as NamedCheck as T;
    }
    return check(entry);
  }));
}
