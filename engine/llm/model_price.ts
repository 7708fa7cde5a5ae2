/**
 * The price of a model: US dollars per million input and output tokens.
 * Providers declare theirs; the price table looks them up.
 *
 * @example
 * ```ts
 * const price: ModelPrice = { inputPerMillion: 2, outputPerMillion: 8 };
 * ```
 */

/** USD per million tokens. */
export interface ModelPrice {
  inputPerMillion: number;
  outputPerMillion: number;
}
