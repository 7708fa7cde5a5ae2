/** The cache report of a server's workspace, through its REST API. */
import type { CacheSource } from "../sources/cache_source.ts";
import type { RemoteContext } from "./remote_context.ts";

/** A CacheSource over the server's REST API. */
export function remoteCacheSource(context: RemoteContext): CacheSource {
  return {
    workspace: context.workspace ?? "(server default)",
    stats: () => context.client.cacheStats(),
  };
}
