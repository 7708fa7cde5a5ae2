/**
 * `writeit --server URL cache stats [--json]`: the server workspace's LLM
 * cache report (hits, misses, hit rate, evictions, tokens and cost saved,
 * size), printed like the local command.
 */
import type { Command } from "commander";
import { remoteContext, remotely } from "./remote_context.ts";

function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KB`;
  return `${(bytes / 1024 / 1024).toFixed(1)} MB`;
}

/** Registers `cache stats` for `--server`. */
export function registerRemoteCacheCommands(program: Command): Command {
  const cache = program.command("cache").description("the LLM response cache of the workspace");
  cache.command("stats")
    .description("hits, misses, hit rate, evictions, tokens and cost saved, size")
    .option("--json", "print as JSON")
    .action((_options: unknown, command: Command) =>
      remotely(async () => {
        const context = remoteContext(command);
        const stats = await context.client.cacheStats();
        if (context.json) return context.output.printJson(stats);
        if (!stats) {
          context.output.print("The server keeps no cache for this workspace");
          return;
        }
        const hits = stats.hits ?? 0;
        const misses = stats.misses ?? 0;
        const hitRate = stats.hitRate ?? (hits + misses === 0 ? 0 : hits / (hits + misses));
        const { styles } = context.output;
        const rows: [string, string][] = [
          [
            "workspace",
            (stats.workspace ?? context.workspace ?? "(server default)") +
            (stats.enabled === false ? styles.dim(" (cache disabled)") : ""),
          ],
        ];
        if (stats.entries !== undefined) {
          rows.push(["entries", `${stats.entries} (${formatBytes(stats.bytes ?? 0)} of text)`]);
        }
        if (stats.ttlHours !== undefined) rows.push(["ttl", `${stats.ttlHours} h`]);
        rows.push(
          ["hits", String(hits)],
          ["misses", String(misses)],
          ["hit rate", `${(hitRate * 100).toFixed(1)}%`],
          ["writes", String(stats.writes ?? 0)],
          ["evictions", String(stats.evictions ?? 0)],
          ["expired", String(stats.expired ?? 0)],
          ["tokens saved", String(stats.tokensSaved ?? 0)],
          ["cost saved", `$${(stats.costSavedUsd ?? 0).toFixed(4)}`],
        );
        for (const [label, value] of rows) {
          context.output.print(`${styles.bold(label.padEnd(13))} ${value}`);
        }
      })
    );
  return cache;
}
