/**
 * `writeit doctor [--json]`: whether WriteIt can work here — each provider
 * configured or not (and which variable to set), whether each configured one
 * answers (a free models-list request with a short time-out), and the state
 * of the workspace's storage and response cache. Exit code 1 when a
 * configured provider does not answer or the storage cannot be opened; with
 * no real provider at all it says that only the offline model can write and
 * what to set.
 */
import type { Command } from "commander";
import { localOnly } from "../command_mode.ts";
import { cliContext } from "../cli_context.ts";
import { UsageError } from "../usage_error.ts";

/** Registers `doctor`. */
export function registerDoctorCommand(program: Command): void {
  localOnly(program.command("doctor"))
    .description("check providers, keys, storage and cache")
    .option("--timeout <ms>", "how long each provider may take to answer", "5000")
    .option("--json", "print as JSON")
    .action(async function (this: Command, options: { timeout: string }) {
      const context = cliContext(this);
      const config = await context.config();
      const [{ checkProviders }, { providerSettingsFromEnvironment }, { hitRate }] = await Promise
        .all([
          import("../../engine/llm/provider_check.ts"),
          import("../../engine/llm/provider_settings.ts"),
          import("../../engine/cache/cache_stats.ts"),
        ]);
      const settings = providerSettingsFromEnvironment(config.providerEnvironment());
      const timeoutMs = Number(options.timeout);
      if (!Number.isInteger(timeoutMs) || timeoutMs <= 0) {
        throw new UsageError(
          `--timeout must be a whole number of milliseconds above 0, not "${options.timeout}"`,
        );
      }
      const providers = await checkProviders(settings, {
        timeoutMs,
      });

      let storage: Record<string, unknown>;
      let cache: Record<string, unknown> | undefined;
      let storageOk = true;
      try {
        const workspace = context.workspace();
        const backend = await context.backend();
        const { kind, location, bytes, details } = backend.describe();
        storage = {
          ok: true,
          workspace: workspace.name,
          backend: kind,
          path: location,
          ...(bytes !== undefined ? { bytes } : {}),
          ...(details ? { details } : {}),
        };
        const store = backend.cache;
        const stats = store.readStats();
        cache = {
          enabled: config.get<boolean>("cache.enabled") !== false,
          ttlHours: Number(config.get<number>("cache.ttl_hours") ?? 24),
          ...store.size(),
          hits: stats.hits,
          misses: stats.misses,
          hitRate: hitRate(stats),
        };
      } catch (error) {
        storageOk = false;
        storage = { ok: false, error: (error as Error).message };
      }
      const failing = providers.filter((check) => check.configured && check.answers === false);
      const ok = storageOk && failing.length === 0;
      if (!ok) context.exitCode = 1;
      // A real model: a provider with a key, or a local server that answers.
      const real = providers.filter((check) =>
        check.provider !== "offline" &&
        (check.answers === true || (check.configured && check.answers !== false))
      );
      const missing = real.length > 0 ? [] : providers
        .filter((check) => check.provider !== "offline" && check.missing)
        .map((check) => check.missing as string);

      if (context.json) {
        return context.output.printJson({
          ok,
          realProviders: real.length,
          missing,
          providers,
          storage,
          cache,
        });
      }
      const { styles } = context.output;
      const print = (text: string) => context.output.print(text);
      print(styles.bold("Providers"));
      for (const check of providers) {
        const name = check.provider.padEnd(10);
        let state: string;
        if (check.provider === "offline") {
          state = styles.green("ready") + " (built in, no network; use offline:… models)";
        } else if (check.answers === true) {
          state = `${styles.green("answers")} (${check.latencyMs} ms, ${check.models} models) ${
            styles.dim(check.baseUrl ?? "")
          }`;
        } else if (check.answers === false) {
          const label = check.configured
            ? styles.red("not answering")
            : styles.dim("not answering");
          const hint = check.configured
            ? ""
            : styles.dim(` (set ${check.missing} to use another server)`);
          state = `${label}: ${check.error}${hint}`;
        } else state = `${styles.dim("not configured")}: set ${check.missing}`;
        print(`  ${name} ${state}`);
      }
      print(styles.bold("Storage"));
      if (storage.ok) {
        print(`  workspace  ${storage.workspace}`);
        print(`  backend    ${storage.backend}`);
        const size = storage.bytes === undefined
          ? ""
          : ` (${Math.round(Number(storage.bytes) / 1024)} KB)`;
        print(`  database   ${storage.path}${size}`);
        const details = (storage.details ?? {}) as Record<string, string>;
        for (const [label, value] of Object.entries(details)) {
          print(`  ${label.padEnd(10)} ${value}`);
        }
      } else print(`  ${styles.red("cannot open")}: ${storage.error}`);
      if (cache) {
        print(styles.bold("Cache"));
        print(
          `  ${
            cache.enabled ? "enabled" : "disabled"
          }, ${cache.entries} entries, ttl ${cache.ttlHours} h, ${cache.hits} hits / ${cache.misses} misses (${
            (Number(cache.hitRate) * 100).toFixed(1)
          }%)`,
        );
      }
      if (!ok) print(styles.red("Some checks failed (see above)."));
      else if (missing.length > 0) {
        print(
          styles.yellow("Only the offline model can write here: ") +
            `no real provider is configured. Set ${
              missing.join(", or ")
            } to use one (\`writeit doctor\` checks it answers).`,
        );
      } else print(styles.green("All good."));
    });
}
