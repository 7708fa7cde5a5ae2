/**
 * A terminal for end-to-end tests: tmux runs a command in a detached pane
 * (200×50 unless told), the test presses keys with `send-keys` and reads the
 * screen with `capture-pane`.
 *
 * @example
 * ```ts
 * const pane = new Pane("writeit-test-1", "/tmp/launch.sh");
 * await pane.waitFor(/choice>/, "the menu");
 * pane.type("1");
 * pane.close();
 * ```
 */
import assert from "node:assert/strict";

/** Runs `tmux ARGS` and returns what it printed; throws with its stderr when it fails. */
export function tmux(...args: string[]): string {
  const output = new Deno.Command("tmux", { args, stdout: "piped", stderr: "piped" }).outputSync();
  if (!output.success) {
    throw new Error(`tmux ${args.join(" ")} failed: ${new TextDecoder().decode(output.stderr)}`);
  }
  return new TextDecoder().decode(output.stdout);
}

/** Fails the test, saying how to install it, when tmux is missing. */
export function requireTmux(): void {
  try {
    new Deno.Command("tmux", { args: ["-V"], stdout: "null", stderr: "null" }).outputSync();
  } catch {
    assert.fail("tmux is not installed: the interactive CLI test needs it (apt-get install tmux)");
  }
}

/**
 * A CLI session in a detached tmux pane, on a tmux server of its own (`-L`):
 * on the shared default server, one test's last `kill-session` can stop the
 * server just as another test's `new-session` reaches it.
 */
export class Pane {
  readonly name: string;
  constructor(name: string, script: string, size = { columns: 200, rows: 50 }) {
    this.name = name;
    this.#tmux(
      "new-session",
      "-d",
      "-x",
      String(size.columns),
      "-y",
      String(size.rows),
      "-s",
      name,
      `sh ${script}`,
    );
  }
  #tmux(...args: string[]): string {
    return tmux("-L", this.name, ...args);
  }
  /** Everything the pane shows and has scrolled past. */
  screen(): string {
    return this.#tmux("capture-pane", "-p", "-J", "-S", "-", "-t", this.name);
  }
  /** Presses keys by their tmux names (`Left`, `C-a`, `Up`, `BSpace` …). */
  keys(...names: string[]): void {
    this.#tmux("send-keys", "-t", this.name, ...names);
  }
  /** Types `text` as it is, without Enter. */
  typeOnly(text: string): void {
    this.#tmux("send-keys", "-t", this.name, "-l", text);
  }
  /** The last line of the screen that is not empty (where the cursor's prompt is). */
  lastLine(): string {
    return this.screen().trimEnd().split("\n").at(-1) ?? "";
  }
  type(text: string): void {
    if (text) this.#tmux("send-keys", "-t", this.name, "-l", text);
    this.#tmux("send-keys", "-t", this.name, "Enter");
  }
  count(text: string): number {
    return this.screen().split(text).length - 1;
  }
  async waitFor(test: RegExp | ((screen: string) => boolean), what: string, timeoutMs = 30_000) {
    const deadline = Date.now() + timeoutMs;
    let screen = "";
    while (Date.now() < deadline) {
      screen = this.screen();
      if (typeof test === "function" ? test(screen) : test.test(screen)) return screen;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    throw new Error(`Timed out waiting for ${what}. Screen:\n${screen}`);
  }
  /** Waits for one more `choice>` prompt than `before`. */
  async nextMenu(before: number, what: string) {
    return await this.waitFor((screen) => screen.split("choice>").length - 1 > before, what);
  }
  close(): void {
    try {
      this.#tmux("kill-server");
    } catch {
      // already gone
    }
  }
}
