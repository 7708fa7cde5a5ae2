/**
 * How people read a step's generation. The engine counts generations from 0
 * (`StepState.generation`, `AIResponse.generation`, event data); everything a
 * person reads (the command line, the terminal menu, the dashboard, exports,
 * messages) counts them from 1, through these two functions.
 *
 * @example
 * ```ts
 * generationLabel(0); // "generation 1"
 * ```
 */

/** The number people read for the stored 0-based `generation`: the first generation is 1. */
export function generationNumber(generation: number): number {
  return generation + 1;
}

/** `"generation N"`, N counted from 1. */
export function generationLabel(generation: number): string {
  return `generation ${generationNumber(generation)}`;
}
