/**
 * `writeit cache stats|clear|prune [--json]`: the selected workspace's LLM
 * response cache — its totals across every process that used it (hits,
 * misses, hit rate, evictions, expirations, tokens and dollars saved) and its
 * size; `clear` removes every entry (`--stats` also zeroes the totals);
 * `prune` removes the entries past their TTL. With `--server`, `stats`
 * reads the server workspace's report through a CacheSource
 * (cli/sources/cache_source.ts); `clear` and `prune` are local only.
 */
import type { Command } from "commander";
import { cliContext } from "../cli_context.ts";
import { localOnly, openPort } from "../command_mode.ts";
import type { CacheSource } from "../sources/cache_source.ts";
import { localCacheSource, openCacheStore } from "../sources/local_cache_source.ts";

function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KB`;
  return `${(bytes / 1024 / 1024).toFixed(1)} MB`;
}

/** Registers `cache …`. */
export function registerCacheCommands(program: Command): void {
  const cache = program.command("cache").description("the LLM response cache of the workspace");

  cache.command("stats")
    .description("hits, misses, hit rate, evictions, tokens and cost saved, size")
    .option("--json", "print as JSON")
    .action(async function (this: Command) {
      const { scope, port } = await openPort<CacheSource>(this, {
        local: localCacheSource,
        remote: async (context) =>
          (await import("../remote/remote_cache_source.ts")).remoteCacheSource(context),
      });
      const stats = await port.stats();
      const { output } = scope;
      if (scope.json) return output.printJson(stats);
      if (!stats) return output.print("The server keeps no cache for this workspace");
      const hits = stats.hits ?? 0;
      const misses = stats.misses ?? 0;
      const hitRate = stats.hitRate ?? (hits + misses === 0 ? 0 : hits / (hits + misses));
      const { styles } = output;
      const rows: [string, string][] = [
        [
          "workspace",
          (stats.workspace ?? port.workspace) +
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
      for (const [label, value] of rows) output.print(`${styles.bold(label.padEnd(13))} ${value}`);
    });

  localOnly(cache.command("clear"))
    .description("remove every cached response")
    .option("--stats", "also reset the statistics to zero")
    .option("--json", "print as JSON")
    .action(async function (this: Command, options: { stats?: boolean }) {
      const context = cliContext(this);
      const store = await openCacheStore(context);
      const removed = await store.clear();
      if (options.stats) await store.resetStats();
      if (context.json) {
        return context.output.printJson({ removed, statsReset: Boolean(options.stats) });
      }
      context.output.print(
        `Removed ${removed} cached response${removed === 1 ? "" : "s"}${
          options.stats ? " and reset the statistics" : ""
        }`,
      );
    });

  localOnly(cache.command("prune"))
    .description("remove the cached responses whose TTL has passed")
    .option("--json", "print as JSON")
    .action(async function (this: Command) {
      const context = cliContext(this);
      const store = await openCacheStore(context);
      const removed = await store.prune(Date.now());
      if (removed > 0) {
        const { emptyCacheStats } = await import("../../engine/cache/cache_stats.ts");
        await store.addStats({ ...emptyCacheStats(), expired: removed });
      }
      if (context.json) {
        return context.output.printJson({ removed, remaining: store.size().entries });
      }
      context.output.print(
        `Removed ${removed} expired response${
          removed === 1 ? "" : "s"
        }; ${store.size().entries} remain`,
      );
    });
}
