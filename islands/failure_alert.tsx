/**
 * Shows a refused action in plain words: what was refused, the server's
 * explanation (the problem+json `detail`), the HTTP status and code, and
 * any validation issues; announced to screen readers, dismissible.
 */
import type { JSX } from "preact";
import type { FailureView } from "./dashboard_client.ts";

/** Props of `FailureAlert`. */
export interface FailureAlertProps {
  failure: FailureView;
  onDismiss?: () => void;
}

/** The alert. */
export function FailureAlert({ failure, onDismiss }: FailureAlertProps): JSX.Element {
  return (
    <div class="alert" role="alert" data-testid="failure">
      <p>
        <strong>{failure.title}</strong>
        {failure.status
          ? <span class="small">{` (HTTP ${failure.status}, ${failure.code})`}</span>
          : null}
      </p>
      <p>{failure.detail}</p>
      {failure.issues.length > 0
        ? (
          <ul>
            {failure.issues.map((issue, index) => <li key={index}>{issue}</li>)}
          </ul>
        )
        : null}
      {onDismiss
        ? (
          <button type="button" onClick={onDismiss} aria-label="Dismiss this message">
            Dismiss
          </button>
        )
        : null}
    </div>
  );
}
