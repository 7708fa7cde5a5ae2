/**
 * A page that only says something: not found, or an error, in words that
 * say what happened and where to go next.
 */
import type { JSX } from "preact";

/** Props of `MessagePage`. */
export interface MessagePageProps {
  title: string;
  detail: string;
}

/** The page body. */
export function MessagePage({ title, detail }: MessagePageProps): JSX.Element {
  return (
    <>
      <h1>{title}</h1>
      <div class="alert" role="alert">
        <p>{detail}</p>
      </div>
      <p>
        <a href="/">Home</a> · <a href="/pipelines">Pipelines</a> · <a href="/runs">Runs</a>
      </p>
    </>
  );
}
