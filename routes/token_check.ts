/**
 * Compares a presented bearer token with the configured one in constant
 * time (per length), so response timing does not reveal how much of a guess
 * was right.
 */

/** Whether `presented` equals `expected`. */
export function tokenMatches(presented: string | undefined, expected: string): boolean {
  if (presented === undefined) return false;
  const encoder = new TextEncoder();
  const a = encoder.encode(presented);
  const b = encoder.encode(expected);
  let difference = a.length ^ b.length;
  for (let index = 0; index < b.length; index++) difference |= (a[index] ?? 0) ^ b[index];
  return difference === 0;
}
