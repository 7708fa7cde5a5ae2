/**
 * The HTML document around every dashboard page: metadata for phones, the
 * hashed stylesheet, a skip link, the site header with navigation and the
 * workspace switcher. The page's island loader is added by
 * routes/pages/render_page.tsx once it knows which islands were rendered.
 */
import type { ComponentChildren, JSX } from "preact";
import { workspaceHref } from "../islands/format.ts";

export { workspaceHref };

/** Props of `PageShell`. */
export interface PageShellProps {
  title: string;
  stylesheet: string;
  /** Which navigation entry is current. */
  section: "home" | "pipelines" | "runs" | "login" | "error";
  workspace: string;
  workspaces: string[];
  children: ComponentChildren;
}

/** The document. */
export function PageShell(props: PageShellProps): JSX.Element {
  const link = (path: string) => workspaceHref(path, props.workspace);
  const current = (section: PageShellProps["section"]) =>
    props.section === section ? "page" : undefined;
  return (
    <html lang="en">
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <title>{`${props.title} · WriteIt`}</title>
        <link rel="icon" href="data:," />
        <link rel="stylesheet" href={props.stylesheet} />
      </head>
      <body>
        <a class="skip-link" href="#main">Skip to content</a>
        <header class="site">
          <a class="brand" href={link("/")}>WriteIt</a>
          <nav aria-label="Main">
            <a href={link("/")} aria-current={current("home")}>Home</a>
            <a href={link("/pipelines")} aria-current={current("pipelines")}>Pipelines</a>
            <a href={link("/runs")} aria-current={current("runs")}>Runs</a>
          </nav>
          {props.workspaces.length > 0
            ? (
              <form class="workspace" method="get" action="/">
                <label class="sr-only" for="workspace-switch">Workspace</label>
                <span aria-hidden="true">Workspace:</span>
                <select id="workspace-switch" name="workspace">
                  {props.workspaces.map((name) => (
                    <option value={name} selected={name === props.workspace}>{name}</option>
                  ))}
                </select>
                <button type="submit">Switch</button>
              </form>
            )
            : null}
        </header>
        <main id="main">{props.children}</main>
      </body>
    </html>
  );
}
