/**
 * Which backend a WriteIt home's workspaces are stored in, as the
 * configuration says (`storage.backend`, `storage.url`,
 * `WRITEIT_DATABASE_URL`; see `storageSettings` in config.ts): the embedded
 * LMDB backend, the default, or the shared PostgreSQL backend for a
 * `postgres://` URL (several servers and CLIs on one database; the
 * workspaces' folders stay in the home). An unreachable database or bad
 * credentials are a ConfigurationError naming the URL with its password
 * hidden and what to do. This is the one place that picks a
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
const adapters: {
  [Kind in StorageSettings["backend"]]: (
    home: string,
    settings: Extract<StorageSettings, { backend: Kind }>,
  ) => Promise<BackendFactory>;
} = {
  lmdb: async (home) => {
    const [{ lmdbBackendFactory }, { runFold }] = await Promise.all([
      import("../storage/lmdb/mod.ts"),
      import("../engine/run_evolve.ts"),
    ]);
    return lmdbBackendFactory({ home, fold: runFold });
  },
  postgres: async (home, settings) => {
    const [{ postgresBackendFactory }, { runFold }] = await Promise.all([
      import("../storage/postgres/mod.ts"),
      import("../engine/run_evolve.ts"),
    ]);
    return postgresBackendFactory({ url: settings.url, home, fold: runFold });
  },
};

/**
 * The factory of the backend `config` selects, for the workspaces of
 * `options.home`; ValidationError when the storage settings contradict
 * each other or name a database WriteIt does not know.
 */
export function chooseBackendFactory(
  config: ResolvedConfig,
  options: { home: string },
): Promise<BackendFactory> {
  try {
    const settings = storageSettings(config);
    if (settings.backend === "postgres") return adapters.postgres(options.home, settings);
    return adapters.lmdb(options.home, settings);
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

/**
 * The factory of a shared backend (PostgreSQL) when `config` (the home's
 * configuration) selects one, else undefined: LMDB workspaces are the
 * home's folders, managed through storage/lmdb/workspaces.ts directly.
 * Front ends list, create and remove workspaces through it, so every
 * instance on the database sees the same workspaces.
 */
export function sharedBackendFactory(
  config: ResolvedConfig,
  options: { home: string },
): Promise<BackendFactory | undefined> {
  try {
    if (storageSettings(config).backend === "lmdb") return Promise.resolve(undefined);
  } catch (error) {
    return Promise.reject(error);
  }
  return chooseBackendFactory(config, options);
}
