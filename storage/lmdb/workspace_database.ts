/**
 * One LMDB environment per workspace, with named databases inside it, so an
 * event and the projections it updates (and cache entries) can commit in one
 * transaction. Several processes may open the same environment at once:
 * LMDB's own locking keeps them consistent. Every part of WriteIt that keeps
 * data in a workspace opens its store through `openStore(name)` here.
 *
 * @example
 * ```ts
 * const database = openWorkspaceDatabase("/home/me/.writeit/workspaces/default/data");
 * const events = database.openStore<Uint8Array>("events", { encoding: "binary" });
 * await database.close();
 * ```
 */
import { chmodSync, mkdirSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { type Database, type Key, open, type RootDatabase } from "lmdb";

/** Options for opening a workspace's environment. */
export interface WorkspaceDatabaseOptions {
  /** Largest size the memory map may grow to, in bytes (default 16 GiB; only address space). */
  mapSize?: number;
  /** Most named databases (default 32). */
  maxDbs?: number;
  /**
   * Skip the fsync at commit. Default false: an acknowledged write is on disk.
   * Only benchmarks baselines and throwaway data turn it on.
   */
  noSync?: boolean;
}

/** Options for one named database inside the environment. */
export interface StoreOptions {
  /** "msgpack" (default), "json", "string", "binary" or "ordered-binary". */
  encoding?: "msgpack" | "json" | "string" | "binary" | "ordered-binary";
  /** Allow several values per key, kept sorted. */
  dupSort?: boolean;
  /** Enables `getEntry(key).version` and `ifVersion` conditional writes. */
  useVersions?: boolean;
  /** Keys are ordered binary (the default); set "uint32" for integer keys. */
  keyEncoding?: "ordered-binary" | "uint32" | "binary";
  /** msgpack: false writes plain maps (no shared record structures); rows written with records still read. */
  useRecords?: boolean;
  /** msgpack: decode maps as plain objects. */
  mapsAsObjects?: boolean;
}

/** An open workspace environment. */
export interface WorkspaceDatabase {
  /** Folder holding the environment's files. */
  readonly path: string;
  /** The root database; use it for transactions that span named stores. */
  readonly root: RootDatabase;
  /** Opens (creating if needed) a named database; the same name returns the same handle. */
  openStore<V = unknown, K extends Key = Key>(name: string, options?: StoreOptions): Database<V, K>;
  /** Runs `action` in one write transaction across every store of the environment. */
  transaction<T>(action: () => T): Promise<T>;
  /** Waits for pending writes, then closes every store and the environment. */
  close(): Promise<void>;
}

/** Opens the environment in `directory` (created if missing). */
export function openWorkspaceDatabase(
  directory: string,
  options: WorkspaceDatabaseOptions = {},
): WorkspaceDatabase {
  mkdirSync(directory, { recursive: true });
  const root = open({
    path: directory,
    maxDbs: options.maxDbs ?? 32,
    mapSize: options.mapSize ?? 16 * 1024 ** 3,
    noSync: options.noSync ?? false,
    compression: false,
    // One environment is shared by every store; keep msgpack structures per store.
    sharedStructuresKey: undefined,
  });
  // lmdb-js has no file-mode option: the data may hold prompts and outputs, so owner only.
  chmodSync(directory, 0o700);
  for (const name of readdirSync(directory)) {
    if (/\.mdb(-lock)?$|^(data|lock)\.mdb$/.test(name)) chmodSync(join(directory, name), 0o600);
  }
  const stores = new Map<string, Database<unknown, Key>>();
  let closed = false;
  return {
    path: directory,
    root,
    openStore<V, K extends Key>(name: string, storeOptions: StoreOptions = {}) {
      if (closed) throw new TypeError(`Cannot open store "${name}": the database is closed`);
      const existing = stores.get(name);
      if (existing) return existing as unknown as Database<V, K>;
      const store = root.openDB<V, K>({ name, ...storeOptions });
      stores.set(name, store as unknown as Database<unknown, Key>);
      return store;
    },
    transaction<T>(action: () => T): Promise<T> {
      return root.transaction(action);
    },
    async close() {
      if (closed) return;
      closed = true;
      await root.flushed;
      await root.close();
    },
  };
}
