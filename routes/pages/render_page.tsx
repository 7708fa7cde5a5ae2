/**
 * Renders a page body inside the document shell to an HTML response, then
 * adds the island loader for exactly the islands that were rendered (found
 * by their `data-island` markers), so pages without islands ship no
 * JavaScript at all.
 */
import type { ComponentChildren } from "preact";
import { renderToString } from "preact-render-to-string";
import { PageShell, type PageShellProps } from "../../components/page_shell.tsx";
import { type IslandBundle, loaderScript } from "../../server/island_bundle.ts";

/** What one page needs. */
export interface PageContent {
  title: string;
  section: PageShellProps["section"];
  workspace: string;
  workspaces: string[];
  body: ComponentChildren;
  /** HTTP status (default 200). */
  status?: number;
}

/** Names of the islands rendered into `html`. */
export function renderedIslands(html: string): string[] {
  return [
    ...new Set([...html.matchAll(/data-island="([A-Za-z0-9_]+)"/g)].map((match) => match[1])),
  ];
}

/** The full HTML document of a page. */
export function renderDocument(bundle: IslandBundle, content: PageContent): string {
  const html = renderToString(
    <PageShell
      title={content.title}
      section={content.section}
      workspace={content.workspace}
      workspaces={content.workspaces}
      stylesheet={bundle.stylesheet}
    >
      {content.body}
    </PageShell>,
  );
  const loader = loaderScript(bundle, renderedIslands(html));
  const withLoader = loader
    ? html.replace(/<\/body>(?![\s\S]*<\/body>)/, `<script type="module">${loader}</script></body>`)
    : html;
  return `<!DOCTYPE html>${withLoader}`;
}

/** The page as a response. */
export function renderPage(bundle: IslandBundle, content: PageContent): Response {
  return new Response(renderDocument(bundle, content), {
    status: content.status ?? 200,
    headers: {
      "content-type": "text/html; charset=utf-8",
      "cache-control": "no-store",
      "x-content-type-options": "nosniff",
      "referrer-policy": "same-origin",
    },
  });
}
