/**
 * `writeit config list|get|set|unset`: every setting with its value and where
 * the value comes from (default, global file, workspace file, environment,
 * flag). `set` and `unset` write the selected workspace's config.yaml, or the
 * global one with `--global`. Secrets are never printed.
 */
import type { Command } from "commander";
import { localOnly } from "../command_mode.ts";
import { join } from "node:path";
import { cliContext } from "../cli_context.ts";

function shown(value: unknown, secret: boolean): string {
  if (value === undefined) return "";
  if (secret) return "(set, hidden)";
  return String(value);
}

/** Registers `config …`. */
export function registerConfigCommands(program: Command): void {
  const config = localOnly(program.command("config")).description(
    "show and change settings (layered: default < global < workspace < env < flag)",
  );

  config.command("list")
    .description("every setting, its value and where it comes from")
    .option("--json", "print as JSON")
    .action(async function (this: Command) {
      const context = cliContext(this);
      const resolved = await context.config();
      const entries = [...resolved.entries.values()].sort((a, b) => a.key.localeCompare(b.key));
      if (context.json) {
        return context.output.printJson(entries.map((entry) => ({
          key: entry.key,
          value: entry.secret
            ? (entry.value === undefined ? null : "(hidden)")
            : entry.value ?? null,
          source: entry.source,
          description: entry.help,
        })));
      }
      const { styles } = context.output;
      context.output.table(entries, [
        { header: "KEY", value: (entry) => entry.key },
        { header: "VALUE", value: (entry) => shown(entry.value, entry.secret) },
        {
          header: "SOURCE",
          value: (entry) => (entry.source === "default" ? styles.dim(entry.source) : entry.source),
        },
      ]);
    });

  config.command("get <key>")
    .description("print one setting's value")
    .option("--json", "print as JSON with its source")
    .action(async function (this: Command, key: string) {
      const context = cliContext(this);
      const { assertConfigKey } = await import("../../config.ts");
      assertConfigKey(key);
      const resolved = await context.config();
      const entry = resolved.entries.get(key);
      if (context.json) {
        return context.output.printJson({
          key,
          value: entry?.secret
            ? (entry.value === undefined ? null : "(hidden)")
            : entry?.value ?? null,
          source: entry?.source ?? "default",
        });
      }
      context.output.print(shown(entry?.value, entry?.secret ?? false));
    });

  config.command("set <key> <value>")
    .description("set a value in the workspace's config.yaml (or the global one with --global)")
    .option("--global", "write the global config instead of the workspace's")
    .option("--json", "print the result as JSON")
    .action(
      async function (this: Command, key: string, value: string, options: { global?: boolean }) {
        const context = cliContext(this);
        const { isSecretKey, parseConfigValue, writeConfigValue } = await import("../../config.ts");
        const file = options.global
          ? join(context.home, "config.yaml")
          : join(context.workspace().path, "config.yaml");
        if (options.global && !context.workspaces.isInitialised()) context.workspaces.init();
        const parsed = parseConfigValue(key, value, "");
        writeConfigValue(file, key, parsed);
        const shownValue = isSecretKey(key) ? "(hidden)" : parsed;
        if (context.json) return context.output.printJson({ key, value: shownValue, file });
        context.output.print(`Set ${key} in ${file}`);
      },
    );

  config.command("unset <key>")
    .description(
      "remove a value from the workspace's config.yaml (or the global one with --global)",
    )
    .option("--global", "write the global config instead of the workspace's")
    .option("--json", "print the result as JSON")
    .action(async function (this: Command, key: string, options: { global?: boolean }) {
      const context = cliContext(this);
      const { assertConfigKey, writeConfigValue } = await import("../../config.ts");
      assertConfigKey(key);
      const file = options.global
        ? join(context.home, "config.yaml")
        : join(context.workspace().path, "config.yaml");
      writeConfigValue(file, key, undefined);
      if (context.json) return context.output.printJson({ key, removed: true, file });
      context.output.print(`Unset ${key} in ${file}`);
    });
}
