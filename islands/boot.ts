/**
 * Browser loader of the islands: finds every `[data-island]` element the
 * server rendered (components/island.tsx), reads the JSON props from the
 * script element right after it and hydrates the registered component in
 * place. Each page's generated loader imports this and the islands it uses.
 */
import { type ComponentType, h, hydrate } from "preact";

/** Hydrates every island on the page whose name is in `registry`. */
// deno-lint-ignore no-explicit-any
export function hydrateIslands(registry: Record<string, ComponentType<any>>): void {
  for (const element of document.querySelectorAll<HTMLElement>("[data-island]")) {
    const name = element.dataset.island ?? "";
    const component = registry[name];
    if (!component) continue;
    const script = element.nextElementSibling;
    const props = script instanceof HTMLScriptElement && script.dataset.islandProps === name
      ? JSON.parse(script.textContent ?? "{}")
      : {};
    hydrate(h(component, props), element);
    element.dataset.hydrated = "true";
  }
}
