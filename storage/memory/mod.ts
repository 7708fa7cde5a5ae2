/**
 * The in-memory backend: what outside code (wiring/, tests) may use of
 * storage/memory/.
 *
 * @example
 * ```ts
 * import { createMemoryBackend } from "./storage/memory/mod.ts";
 * const backend = createMemoryBackend({ context: fixedContext() });
 * ```
 */
export {
  createMemoryBackend,
  type MemoryBackend,
  memoryBackendFactory,
  type MemoryBackendOptions,
} from "./memory_backend.ts";
export { createMemoryCacheStore } from "./memory_cache_store.ts";
export { createMemoryLibraryStore, MemoryLibrary } from "./memory_library.ts";
