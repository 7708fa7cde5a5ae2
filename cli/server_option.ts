/**
 * Whether a command line runs through a WriteIt server: `--server URL` or
 * `--server=URL` (before a `--`), else WRITEIT_SERVER. Read before the
 * program is built, so that it is decided without loading the client.
 */
import type { Environment } from "../environment.ts";

/** The server a command line asks for; undefined for a local command. */
export function serverFrom(args: readonly string[], env: Environment): string | undefined {
  for (let index = 0; index < args.length; index++) {
    const arg = args[index];
    if (arg === "--") break;
    if (arg === "--server") return args[index + 1] ?? "";
    if (arg.startsWith("--server=")) return arg.slice("--server=".length);
  }
  return env.WRITEIT_SERVER || undefined;
}
