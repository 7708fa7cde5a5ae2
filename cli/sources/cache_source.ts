/**
 * What `writeit cache stats` reads, in either mode: the selected workspace's
 * cache tier and configuration (cli/sources/local_cache_source.ts) or a
 * server workspace's report (cli/remote/remote_cache_source.ts).
 */
import type { CacheStatsReport } from "../../client/api_types.ts";

/** The counters of a cache plus what its owner knows about it; a server may leave fields out. */
export type CacheReport = Partial<CacheStatsReport>;

/** A workspace's LLM response cache. */
export interface CacheSource {
  /** The workspace's name for a report that does not carry one. */
  readonly workspace: string;
  /** The report; null when the workspace keeps no cache. */
  stats(): Promise<CacheReport | null>;
}
