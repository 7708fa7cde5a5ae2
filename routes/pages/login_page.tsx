/**
 * Sign-in for servers started with a token: the token goes in a POST form (or `?token=`) to
 * `/login`, which sets the `writeit_token` cookie (HttpOnly, SameSite=Strict)
 * and returns to the page the visitor wanted.
 */
import type { JSX } from "preact";

/** Props of `LoginPage`. */
export interface LoginPageProps {
  /** Where to go after signing in. */
  next: string;
  problem?: string;
}

/** The page body. */
export function LoginPage({ next, problem }: LoginPageProps): JSX.Element {
  return (
    <>
      <h1>Sign in</h1>
      <form class="panel" method="post" action="/login" style="max-width:420px">
        <p class="small muted">
          This server was started with an API token (WRITEIT_API_TOKEN or server.token).
        </p>
        {problem ? <div class="alert" role="alert">{problem}</div> : null}
        <input type="hidden" name="next" value={next} />
        <div class="field">
          <label for="login-token">API token</label>
          <input
            id="login-token"
            name="token"
            type="password"
            autocomplete="current-password"
            required
          />
        </div>
        <button class="primary" type="submit">Sign in</button>
      </form>
    </>
  );
}
