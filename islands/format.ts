/**
 * Number and time formatting shared by the dashboard's server-rendered pages
 * and its islands: token counts with thousands separators, US dollar costs
 * with enough digits for sub-cent model calls, and short relative times. Pure
 * functions, no browser or server APIs, so both sides render the same text.
 */

/** `12345` → `"12,345"`. */
export function formatTokens(count: number): string {
  return Math.round(count).toLocaleString("en-US");
}

/** `0.00042` → `"$0.00042"`, `1.5` → `"$1.50"`, `0` → `"$0"`. */
export function formatCost(usd: number): string {
  if (usd === 0) return "$0";
  if (usd >= 0.01) return `$${usd.toFixed(2)}`;
  return `$${Number(usd.toPrecision(2))}`;
}

/** ISO time → `"2026-11-22 06:30"` (UTC, stable across server and browser). */
export function formatTime(iso: string | undefined): string {
  if (!iso) return "";
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return iso;
  return date.toISOString().slice(0, 16).replace("T", " ");
}

/** A run id shortened for display (`"01JD…7K2"` keeps the ends). */
export function shortId(id: string): string {
  return id.length <= 12 ? id : `${id.slice(0, 6)}…${id.slice(-4)}`;
}

/** `0.8333` → `"83%"`. */
export function formatPercent(ratio: number): string {
  return `${Math.round(ratio * 100)}%`;
}

/** Adds `?workspace=` to a path unless it is the default workspace. */
export function workspaceHref(path: string, workspace: string, defaultWorkspace?: string): string {
  if (!workspace || workspace === defaultWorkspace) return path;
  const separator = path.includes("?") ? "&" : "?";
  return `${path}${separator}workspace=${encodeURIComponent(workspace)}`;
}
