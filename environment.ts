/**
 * The one place that reads the process environment. Every other module takes
 * an `Environment` record from its caller or from `processEnvironment()`, so
 * tests can pass their own; config.ts resolves the configuration layers from
 * it. Kept apart from config.ts (and free of imports) so that the CLI can
 * read its environment at start-up without loading the YAML parser.
 *
 * @example
 * ```ts
 * const env = processEnvironment();
 * if (debugEnabled(env)) console.error(error);
 * ```
 */

/** An environment record, as `processEnvironment()` returns it. */
export type Environment = Record<string, string | undefined>;

/** The variables of this process, read now. */
export function processEnvironment(): Environment {
  return Deno.env.toObject();
}

/** Whether WRITEIT_DEBUG asks for stack traces with CLI errors (any non-empty value). */
export function debugEnabled(env: Environment): boolean {
  return Boolean(env.WRITEIT_DEBUG);
}

/** Whether NO_COLOR asks for plain output (any non-empty value, as no-color.org says). */
export function colourDisabled(env: Environment): boolean {
  return Boolean(env.NO_COLOR);
}
