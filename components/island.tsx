/**
 * Server side of an island: renders the component into a `data-island`
 * element, followed by its props as JSON in a `<script type="application/json">`
 * for the browser loader (islands/boot.ts) to hydrate from. Props must be
 * serializable; `<` is escaped so a prop can never close the script element.
 */
import type { ComponentType, JSX } from "preact";

/** Props of `Island`. */
export interface IslandProps<P> {
  /** Registered island name (server/island_bundle.ts `ISLANDS`), the component's export name. */
  name: string;
  component: ComponentType<P>;
  props: P;
}

/** JSON for a script element: `<` escaped so `</script>` cannot appear. */
export function scriptSafeJson(value: unknown): string {
  return JSON.stringify(value).replaceAll("<", "\\u003c").replaceAll("\u2028", "\\u2028")
    .replaceAll("\u2029", "\\u2029");
}

/** Renders an island's markup and its props for hydration. */
export function Island<P>({ name, component: Component, props }: IslandProps<P>): JSX.Element {
  return (
    <>
      <div data-island={name}>
        <Component {...(props as P & JSX.IntrinsicAttributes)} />
      </div>
      <script
        type="application/json"
        data-island-props={name}
        // deno-lint-ignore react-no-danger
        dangerouslySetInnerHTML={{ __html: scriptSafeJson(props) }}
      />
    </>
  );
}
