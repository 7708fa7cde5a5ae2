/**
 * The selected workspace's cache report: the totals of every process that
 * used its cache tier, its size, and the configured TTL and switch.
 */
import type { CacheStore } from "../../engine/cache/cache_store.ts";
import type { CliContext } from "../cli_context.ts";
import type { CacheSource } from "./cache_source.ts";

/** The workspace's persistent cache tier, from its backend. */
export async function openCacheStore(context: CliContext): Promise<CacheStore> {
  return (await context.backend()).cache;
}

/** A CacheSource over the workspace's backend. */
export function localCacheSource(context: CliContext): CacheSource {
  return {
    workspace: context.workspaceName(),
    async stats() {
      const config = await context.config();
      const store = await openCacheStore(context);
      const { hitRate } = await import("../../engine/cache/cache_stats.ts");
      const stats = store.readStats();
      const size = store.size();
      return {
        workspace: context.workspace().name,
        enabled: config.get<boolean>("cache.enabled") !== false,
        ...stats,
        hitRate: hitRate(stats),
        entries: size.entries,
        bytes: size.bytes,
        ttlHours: Number(config.get<number>("cache.ttl_hours") ?? 24),
      };
    },
  };
}
