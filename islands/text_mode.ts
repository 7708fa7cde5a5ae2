/**
 * How the dashboard shows texts: rendered Markdown (the default) or the
 * Markdown as written, one choice for the whole page, remembered in the
 * browser (localStorage) across pages and visits.
 */
import { signal } from "@preact/signals";

/** The two ways of showing a text. */
export type TextMode = "rendered" | "markdown";

const KEY = "writeit.textMode";

function stored(): TextMode {
  try {
    return globalThis.localStorage?.getItem(KEY) === "markdown" ? "markdown" : "rendered";
  } catch {
    return "rendered";
  }
}

/** The page's current choice. */
export const textMode = signal<TextMode>("rendered");

/** Reads the remembered choice (call once the page runs in a browser). */
export function loadTextMode(): void {
  textMode.value = stored();
}

/** Switches and remembers. */
export function setTextMode(mode: TextMode): void {
  textMode.value = mode;
  try {
    globalThis.localStorage?.setItem(KEY, mode);
  } catch {
    // Private windows may refuse storage: the choice lasts for the page.
  }
}
