/**
 * Names that become folder names (workspaces, pipelines, styles) are checked
 * here, so that no name can escape the WriteIt home: no separators, no dot
 * segments, no control characters, a bounded length.
 */
import { ValidationError } from "./errors.ts";

/** Longest name accepted. */
export const MAX_NAME_LENGTH = 64;

const NAME_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;

/** Returns why `name` is not a valid workspace name, or undefined when it is. */
export function workspaceNameProblem(name: string, kind = "workspace"): string | undefined {
  if (name.length === 0) {
    return `A ${kind} name cannot be empty: use letters, digits, ".", "_" or "-"`;
  }
  if (name.length > MAX_NAME_LENGTH) {
    return `The ${kind} name "${
      name.slice(0, 20)
    }…" is ${name.length} characters long: use at most ${MAX_NAME_LENGTH}`;
  }
  if (name === "." || name === ".." || name.includes("/") || name.includes("\\")) {
    return `The ${kind} name "${name}" is a path, not a name: use letters, digits, ".", "_" or "-", without "/" or ".."`;
  }
  if (!NAME_PATTERN.test(name)) {
    return `The ${kind} name "${name}" has characters that are not allowed: start with a letter or digit, then use letters, digits, ".", "_" or "-"`;
  }
  return undefined;
}

/** Throws a ValidationError when `name` is not a valid workspace name. */
export function assertWorkspaceName(name: string, kind = "workspace"): void {
  const problem = workspaceNameProblem(name, kind);
  if (problem) {
    throw new ValidationError(problem, [{ severity: "error", message: problem, path: kind }]);
  }
}
