/**
 * Runs the real `writeit` CLI as a subprocess against a temporary
 * WRITEIT_HOME, for end-to-end tests.
 *
 * @example
 * ```ts
 * await using home = await temporaryHome();
 * const result = await runCli(["workspace", "list"], { home: home.path });
 * assert.equal(result.code, 0);
 * ```
 */

const CLI = new URL("../cli.ts", import.meta.url).pathname;
const CONFIG = new URL("../deno.json", import.meta.url).pathname;

/** What a CLI run produced. */
export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Options for one CLI run. */
export interface RunCliOptions {
  /** WRITEIT_HOME for the run. */
  home: string;
  /** Extra environment variables (provider keys, WRITEIT_WORKSPACE …). */
  env?: Record<string, string>;
  /** Text written to stdin, then closed. */
  stdin?: string;
  /** Working directory (defaults to the home). */
  cwd?: string;
}

/** The `writeit <args>` command with a clean environment: only PATH, the home and `env`. */
function cliCommand(args: string[], options: RunCliOptions): Deno.Command {
  return new Deno.Command(Deno.execPath(), {
    args: ["run", "--quiet", "--allow-all", "--config", CONFIG, CLI, ...args],
    cwd: options.cwd ?? options.home,
    clearEnv: true,
    env: {
      PATH: Deno.env.get("PATH") ?? "/usr/bin:/bin",
      HOME: options.home,
      WRITEIT_HOME: options.home,
      NO_COLOR: "1",
      RUST_BACKTRACE: "0",
      DENO_NO_UPDATE_CHECK: "1",
      ...options.env,
    },
    stdin: options.stdin === undefined ? "null" : "piped",
    stdout: "piped",
    stderr: "piped",
  });
}

/** Starts `writeit <args>` and returns the running process (stdout and stderr piped), for tests that signal it. */
export function spawnCli(args: string[], options: RunCliOptions): Deno.ChildProcess {
  return cliCommand(args, { ...options, stdin: undefined }).spawn();
}

/** Runs `writeit <args>` and collects its output. Provider keys from the outer environment are not passed. */
export async function runCli(args: string[], options: RunCliOptions): Promise<CliResult> {
  const child = cliCommand(args, options).spawn();
  if (options.stdin !== undefined) {
    const writer = child.stdin.getWriter();
    await writer.write(new TextEncoder().encode(options.stdin));
    await writer.close();
  }
  const output = await child.output();
  const decoder = new TextDecoder();
  return {
    code: output.code,
    stdout: decoder.decode(output.stdout),
    stderr: decoder.decode(output.stderr),
  };
}

/** A temporary WriteIt home, removed on dispose. */
export async function temporaryHome(): Promise<{ path: string } & AsyncDisposable> {
  const path = await Deno.makeTempDir({ prefix: "writeit-home-" });
  return {
    path,
    async [Symbol.asyncDispose]() {
      await Deno.remove(path, { recursive: true });
    },
  };
}
