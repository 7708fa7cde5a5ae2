/**
 * The run page: the live RunView island (progress, candidates, controls,
 * timeline, charts, compare, branch tree, export).
 */
import type { JSX } from "preact";
import { Island } from "../../components/island.tsx";
import { RunView, type RunViewProps } from "../../islands/run_view.tsx";

/** The page body. */
export function RunPage({ view }: { view: RunViewProps }): JSX.Element {
  return <Island name="RunView" component={RunView} props={view} />;
}
