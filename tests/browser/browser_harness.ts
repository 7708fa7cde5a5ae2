/**
 * What the dashboard's browser tests share: the real server (`serve()` from
 * serve.ts on port 0 over a temporary home), Debian's Chromium driven
 * by playwright-core, screenshots saved under tests/browser/artifacts/, and a
 * loud failure when Chromium is not installed (never a silent pass).
 *
 * @example
 * ```ts
 * await using dashboard = await startDashboard({ env: { WRITEIT_OFFLINE_CHUNK_DELAY_MS: "10" } });
 * await using browser = await launchChromium();
 * const page = await browser.context.newPage();
 * await page.goto(dashboard.url);
 * ```
 */
import { existsSync, mkdirSync } from "node:fs";
import { type Browser, type BrowserContext, chromium, type Page } from "playwright-core";
import { type RunningServer, serve } from "../../serve.ts";

/** Where Debian's `chromium` package installs the browser. */
export const CHROMIUM = Deno.env.get("WRITEIT_CHROMIUM") ?? "/usr/bin/chromium";

/** Folder of the screenshots (gitignored). */
export const ARTIFACTS = new URL("./artifacts/", import.meta.url).pathname;

/** Throws with the fix when Chromium is missing: the browser tests must not pass without a browser. */
export function requireChromium(): void {
  if (!existsSync(CHROMIUM)) {
    throw new Error(
      `Chromium is not installed at ${CHROMIUM}: the dashboard's browser tests need it. Install Debian's package (apt-get install chromium) or point WRITEIT_CHROMIUM at a Chromium binary`,
    );
  }
}

/** A running server over a temporary home. */
export interface Dashboard extends AsyncDisposable {
  url: string;
  home: string;
  server: RunningServer;
  /** Stops the server (the home stays) and starts a new one on the same port. */
  restart(): Promise<void>;
  /** Stops the server only. */
  stop(): Promise<void>;
}

/** Starts `serve()` on a temporary home with the given environment. */
export async function startDashboard(
  options: { env?: Record<string, string>; token?: string } = {},
): Promise<Dashboard> {
  const home = await Deno.makeTempDir({ prefix: "writeit-browser-" });
  const env = { HOME: home, WRITEIT_HOME: home, ...options.env };
  const start = (port: number) =>
    serve({ home, host: "127.0.0.1", port, env, token: options.token, log: () => {} });
  let server = await start(0);
  let stopped = false;
  const dashboard: Dashboard = {
    url: server.url,
    home,
    get server() {
      return server;
    },
    async stop() {
      if (stopped) return;
      stopped = true;
      await server.shutdown();
    },
    async restart() {
      const port = server.port;
      await dashboard.stop();
      server = await start(port);
      stopped = false;
    },
    async [Symbol.asyncDispose]() {
      await dashboard.stop();
      await Deno.remove(home, { recursive: true });
    },
  };
  return dashboard;
}

/** Chromium and one browsing context (tabs share it, like a writer's window). */
export interface ChromiumSession extends AsyncDisposable {
  browser: Browser;
  context: BrowserContext;
}

/** Launches Chromium headless, offline-friendly flags. */
export async function launchChromium(
  options: { viewport?: { width: number; height: number } } = {},
): Promise<ChromiumSession> {
  requireChromium();
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: [
      "--no-sandbox",
      "--disable-gpu",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
      "--no-first-run",
    ],
  });
  const context = await browser.newContext({
    viewport: options.viewport ?? { width: 1280, height: 900 },
  });
  return {
    browser,
    context,
    async [Symbol.asyncDispose]() {
      await context.close();
      await browser.close();
    },
  };
}

/** Saves a full-page screenshot as artifacts/<name>.png and returns its path. */
export async function screenshot(page: Page, name: string): Promise<string> {
  mkdirSync(ARTIFACTS, { recursive: true });
  const path = `${ARTIFACTS}${name}.png`;
  await page.screenshot({ path, fullPage: true });
  return path;
}

/** Collects the page's console errors and uncaught exceptions, to assert none happened. */
export function collectPageErrors(page: Page): string[] {
  const errors: string[] = [];
  page.on("pageerror", (error) => errors.push(`pageerror: ${error.message}`));
  page.on("console", (message) => {
    if (message.type() === "error") errors.push(`console: ${message.text()}`);
  });
  return errors;
}

/** `writeit <args>` as another process on the dashboard's home (a CLI beside the browser). */
export function writeitCommand(home: string, args: string[]): Deno.Command {
  return new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      "--quiet",
      "--allow-all",
      "--config",
      new URL("../../deno.json", import.meta.url).pathname,
      new URL("../../cli.ts", import.meta.url).pathname,
      ...args,
    ],
    clearEnv: true,
    env: {
      PATH: Deno.env.get("PATH") ?? "/usr/bin:/bin",
      HOME: home,
      WRITEIT_HOME: home,
      NO_COLOR: "1",
      DENO_NO_UPDATE_CHECK: "1",
    },
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  });
}
