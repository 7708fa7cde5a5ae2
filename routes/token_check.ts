/**
 * Compares a presented bearer token with the configured one in constant
 * time (per length), so response timing does not reveal how much of a guess
 * was right.
 */

/** Name of the dashboard's sign-in cookie (HttpOnly, SameSite=Strict), which holds the token. */
export const TOKEN_COOKIE = "writeit_token";

/** The token of an `Authorization: Bearer <token>` header (the scheme in any case). */
export function bearerToken(header: string | undefined): string | undefined {
  const match = /^bearer +(.+)$/i.exec(header?.trim() ?? "");
  return match ? match[1].trim() : undefined;
}

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
