/**
 * `writeit cache stats|clear|prune [--json]`: the selected workspace's LLM
 * response cache — its totals across every process that used it (hits,
 * misses, hit rate, evictions, expirations, tokens and dollars saved) and its
 * size; `clear` removes every entry (`--stats` also zeroes the totals);
 * `prune` removes the entries past their TTL.
 */
import type { Command } from "commander";
import type { CacheStore } from "../../engine/cache/cache_store.ts";
import { type CliContext, cliContext } from "../cli_context.ts";

/** The workspace's persistent cache tier, from its backend. */
async function openCacheStore(context: CliContext): Promise<CacheStore> {
  return (await context.backend()).cache;
}

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
      const context = cliContext(this);
      const config = await context.config();
      const store = await openCacheStore(context);
      const { hitRate } = await import("../../engine/cache/cache_stats.ts");
      const stats = store.readStats();
      const size = store.size();
      const ttlHours = Number(config.get<number>("cache.ttl_hours") ?? 24);
      const report = {
        workspace: context.workspace().name,
        enabled: config.get<boolean>("cache.enabled") !== false,
        ...stats,
        hitRate: hitRate(stats),
        entries: size.entries,
        bytes: size.bytes,
        ttlHours,
      };
      if (context.json) return context.output.printJson(report);
      const { styles } = context.output;
      const rows: [string, string][] = [
        ["workspace", report.workspace + (report.enabled ? "" : styles.dim(" (cache disabled)"))],
        ["entries", `${size.entries} (${formatBytes(size.bytes)} of text)`],
        ["ttl", `${ttlHours} h`],
        ["hits", String(stats.hits)],
        ["misses", String(stats.misses)],
        ["hit rate", `${(report.hitRate * 100).toFixed(1)}%`],
        ["writes", String(stats.writes)],
        ["evictions", String(stats.evictions)],
        ["expired", String(stats.expired)],
        ["tokens saved", String(stats.tokensSaved)],
        ["cost saved", `$${stats.costSavedUsd.toFixed(4)}`],
      ];
      for (const [label, value] of rows) {
        context.output.print(`${styles.bold(label.padEnd(13))} ${value}`);
      }
    });

  cache.command("clear")
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

  cache.command("prune")
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
