/**
 * Export buttons: links to `/api/…/runs/{id}/export?format=…` (Markdown,
 * HTML, JSON, YAML, Markdown with the run's history). Behind a token a plain
 * link cannot carry the bearer header, so the document is fetched through
 * the client and saved as a download instead.
 */
import type { JSX } from "preact";
import type { ExportFormat } from "../client/mod.ts";

const EXPORTS: { format: ExportFormat; label: string; history: boolean; key: string }[] = [
  { format: "markdown", label: "Markdown", history: false, key: "markdown" },
  { format: "html", label: "HTML", history: false, key: "html" },
  { format: "json", label: "JSON", history: false, key: "json" },
  { format: "yaml", label: "YAML", history: false, key: "yaml" },
  { format: "markdown", label: "Markdown with history", history: true, key: "markdown-history" },
];

/** Props of `ExportLinks`. */
export interface ExportLinksProps {
  runId: string;
  workspace: string;
  /** Fetches a document (when links alone cannot authenticate). */
  download?: (format: ExportFormat, history: boolean) => Promise<string>;
  onFailure: (error: unknown, format: ExportFormat) => void;
}

/** The URL of one export. */
export function exportHref(runId: string, workspace: string, format: string, history: boolean) {
  return `/api/workspaces/${encodeURIComponent(workspace)}/runs/${
    encodeURIComponent(runId)
  }/export?format=${format}${history ? "&history=true" : ""}`;
}

/** The export section. */
export function ExportLinks(props: ExportLinksProps): JSX.Element {
  const save = async (event: MouseEvent, format: ExportFormat, history: boolean) => {
    if (!props.download) return; // a plain link does it
    event.preventDefault();
    try {
      const text = await props.download(format, history);
      const url = URL.createObjectURL(new Blob([text]));
      const link = Object.assign(document.createElement("a"), {
        href: url,
        download: `${props.runId}.${format === "markdown" ? "md" : format}`,
      });
      link.click();
      URL.revokeObjectURL(url);
    } catch (error) {
      props.onFailure(error, format);
    }
  };
  return (
    <section class="panel" aria-labelledby="export-heading">
      <h2 id="export-heading">Export</h2>
      <div class="actions">
        {EXPORTS.map((item) => (
          <a
            key={item.key}
            class="button"
            href={exportHref(props.runId, props.workspace, item.format, item.history)}
            data-export={item.key}
            onClick={(event) => save(event, item.format, item.history)}
          >
            {item.label}
          </a>
        ))}
      </div>
    </section>
  );
}
