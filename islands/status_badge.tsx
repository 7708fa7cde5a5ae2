/**
 * A run's or step's status as a coloured pill with a readable label
 * (`awaiting_selection` → "awaiting selection"). Used by server pages and
 * islands alike; it only renders markup.
 */
import type { JSX } from "preact";

/** Props of `StatusBadge`. */
export interface StatusBadgeProps {
  status: string;
  /** Prefix for screen readers, such as "Run status". */
  label?: string;
  /** Shown instead of the status, such as "waiting for you (write)". */
  text?: string;
}

/** The status pill. */
export function StatusBadge({ status, label, text }: StatusBadgeProps): JSX.Element {
  return (
    <span class={`badge status-${status}`} data-status={status}>
      {label ? <span class="sr-only">{label}:</span> : null}
      {text ?? status.replaceAll("_", " ")}
    </span>
  );
}
