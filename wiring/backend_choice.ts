/**
 * Which backend a WriteIt home's workspaces are stored in, as the
 * configuration says (`storage.backend`, `storage.url`; see
 * `storageSettings` in config.ts): the embedded LMDB backend, the default
 * and today the only one. Asking for PostgreSQL is a ValidationError naming
 * the setting and how to go back to LMDB. This is the one place that picks a
 * backend; the CLI and the server get every workspace's event store, cache,
 * leases, library and retention from what it returns. The adapter's modules
 * load only when a backend is asked for, so commands that need none start
 * fast.
 *
 * @example
 * ```ts
 * const backend = await openWorkspaceBackend(config, { home, workspace: "default" });
 * const runs = await backend.events.listRuns();
 * await backend.close();
 * ```
 */
import { type ResolvedConfig, type StorageSettings, storageSettings } from "../config.ts";
import type { Backend, BackendFactory } from "../engine/backend.ts";

/** How each configurable backend is loaded, for a WriteIt home. */
const adapters: Record<StorageSettings["backend"], (home: string) => Promise<BackendFactory>> = {
  lmdb: async (home) => {
    const [{ lmdbBackendFactory }, { runFold }] = await Promise.all([
      import("../storage/lmdb/mod.ts"),
      import("../engine/run_evolve.ts"),
    ]);
    return lmdbBackendFactory({ home, fold: runFold });
  },
};

/**
 * The factory of the backend `config` selects, for the workspaces of
 * `options.home`; ValidationError when the configured backend is not
 * available in this version.
 */
export function chooseBackendFactory(
  config: ResolvedConfig,
  options: { home: string },
): Promise<BackendFactory> {
  try {
    return adapters[storageSettings(config).backend](options.home);
  } catch (error) {
    return Promise.reject(error);
  }
}

/**
 * The backend of workspace `options.workspace`, from the factory `config`
 * selects, snapshotting runs every `events.snapshot_every` events.
 */
export async function openWorkspaceBackend(
  config: ResolvedConfig,
  options: { home: string; workspace: string },
): Promise<Backend> {
  const factory = await chooseBackendFactory(config, { home: options.home });
  return factory.open(options.workspace, {
    snapshotEvery: Number(config.get<number>("events.snapshot_every") ?? 100),
  });
}
