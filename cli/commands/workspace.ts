/**
 * `writeit init` and `writeit workspace create|list|use|remove|info`. With
 * `--server`, `workspace list` lists the server home's workspaces through a
 * WorkspaceSource (cli/sources/workspace_source.ts); the others are local
 * only. With a shared backend (PostgreSQL), create, list and remove go
 * through its factory, so they act on the database that every instance
 * shares (the folders in this home follow).
 */
import type { Command } from "commander";
import { existsSync, readdirSync, statSync } from "node:fs";
import { join } from "node:path";
import { cliContext } from "../cli_context.ts";
import { localOnly, openPort } from "../command_mode.ts";
import type { WorkspaceSource } from "../sources/workspace_source.ts";
import type { BackendFactory } from "../../engine/backend.ts";
import {
  DEFAULT_WORKSPACE,
  type WorkspaceInfo,
  workspacePaths,
} from "../../storage/lmdb/workspaces.ts";

function describe(info: WorkspaceInfo) {
  return {
    name: info.name,
    active: info.active,
    path: info.path,
    description: info.description ?? null,
    createdAt: info.createdAt ?? null,
  };
}

/** The shared backend's factory when the home's configuration selects one (else LMDB folders). */
async function sharedFactory(
  context: { home: string; env: Record<string, string | undefined> },
): Promise<BackendFactory | undefined> {
  const [{ resolveConfig }, { sharedBackendFactory }] = await Promise.all([
    import("../../config.ts"),
    import("../../wiring/backend_choice.ts"),
  ]);
  const config = resolveConfig({ home: context.home, env: context.env });
  return await sharedBackendFactory(config, { home: context.home });
}

/** Registers `init` and `workspace …`. */
export function registerWorkspaceCommands(program: Command): void {
  localOnly(program.command("init"))
    .description("create the WriteIt home and its default workspace (safe to repeat)")
    .option("--json", "print the result as JSON")
    .action(function (this: Command) {
      const context = cliContext(this);
      const result = context.workspaces.init();
      if (context.json) {
        context.output.printJson({
          home: context.home,
          created: result.created,
          workspace: describe(result.workspace),
        });
        return;
      }
      const { styles } = context.output;
      context.output.print(
        result.created
          ? `${styles.green("Initialised")} WriteIt in ${context.home}`
          : `WriteIt is already initialised in ${context.home}`,
      );
      context.output.print(
        `Active workspace: ${styles.bold(result.workspace.name)} (${result.workspace.path})`,
      );
      context.output.print(`Next: ${styles.cyan("writeit pipeline list")} to see what you can run`);
    });

  const workspace = program.command("workspace").description(
    "manage workspaces (separate runs, caches and files)",
  );

  localOnly(workspace.command("create <name>"))
    .description("create a workspace")
    .option("-d, --description <text>", "what the workspace is for")
    .option("--use", "make it the active workspace")
    .option("--json", "print the result as JSON")
    .action(
      async function (
        this: Command,
        name: string,
        options: { description?: string; use?: boolean },
      ) {
        const context = cliContext(this);
        const fresh = !context.workspaces.isInitialised();
        if (fresh) context.workspaces.init();
        const shared = await sharedFactory(context);
        // On a fresh home, init has just made the default workspace: that is the one asked for.
        let info = fresh && name === DEFAULT_WORKSPACE
          ? context.workspaces.info(name)
          : shared
          ? await shared.createWorkspace(name, { description: options.description })
          : context.workspaces.create(name, { description: options.description });
        if (options.use) info = context.workspaces.use(name);
        if (context.json) return context.output.printJson(describe(info));
        context.output.print(
          `Created workspace ${context.output.styles.bold(name)} at ${info.path}`,
        );
        if (!options.use) context.output.print(`Use it with: writeit workspace use ${name}`);
      },
    );

  workspace.command("list")
    .description("list workspaces; * marks the active one")
    .option("--json", "print the list as JSON")
    .action(async function (this: Command) {
      const { scope, port } = await openPort<WorkspaceSource>(this, {
        local: (context) => ({
          list: async () => {
            const shared = await sharedFactory(context);
            const list = shared ? await shared.listWorkspaces() : context.workspaces.list();
            return list.map(describe);
          },
        }),
        remote: async (context) =>
          (await import("../remote/remote_workspace_source.ts")).remoteWorkspaceSource(context),
      });
      const list = await port.list();
      if (scope.json) return scope.output.printJson(list);
      const { styles } = scope.output;
      scope.output.table(list, [
        { header: "", value: (info) => (info.active ? styles.green("*") : " ") },
        { header: "NAME", value: (info) => (info.active ? styles.bold(info.name) : info.name) },
        { header: "CREATED", value: (info) => info.createdAt?.slice(0, 10) ?? "" },
        { header: "DESCRIPTION", value: (info) => info.description ?? "" },
      ], "no workspaces yet: run `writeit init`");
    });

  localOnly(workspace.command("use <name>"))
    .description("make a workspace the active one")
    .option("--json", "print the result as JSON")
    .action(async function (this: Command, name: string) {
      const context = cliContext(this);
      const shared = await sharedFactory(context);
      if (shared && !existsSync(workspacePaths(context.home, name).root)) {
        // A workspace of the shared database that this home has no folder for yet.
        const found = (await shared.listWorkspaces()).find((row) => row.name === name);
        if (found) context.workspaces.create(name, { description: found.description });
      }
      const info = context.workspaces.use(name);
      if (context.json) return context.output.printJson(describe(info));
      context.output.print(`Active workspace: ${context.output.styles.bold(name)}`);
    });

  localOnly(workspace.command("remove <name>"))
    .alias("rm")
    .description("delete a workspace and everything in it (not the active one)")
    .option("--json", "print the result as JSON")
    .action(async function (this: Command, name: string) {
      const context = cliContext(this);
      const shared = await sharedFactory(context);
      if (shared) await shared.removeWorkspace(name);
      else context.workspaces.remove(name);
      if (context.json) return context.output.printJson({ removed: name });
      context.output.print(`Removed workspace ${name}`);
    });

  localOnly(workspace.command("info [name]"))
    .description("show a workspace (default: the selected one)")
    .option("--json", "print the result as JSON")
    .action(async function (this: Command, name?: string) {
      const context = cliContext(this);
      const info = name ? context.workspaces.info(name) : context.workspace();
      const shared = await sharedFactory(context);
      // A shared backend keeps the data in its database, not in the folder.
      const database = shared && "location" in shared ? String(shared.location) : undefined;
      const paths = workspacePaths(context.home, info.name);
      const count = (folder: string) =>
        existsSync(folder) ? readdirSync(folder).filter((file) => !file.startsWith(".")).length : 0;
      const details = {
        ...describe(info),
        home: context.home,
        pipelines: count(paths.pipelines),
        styles: count(paths.styles),
        outputs: count(paths.outputs),
        ...(database ? { database } : {}),
        dataBytes: database ? 0 : folderBytes(paths.data),
      };
      if (context.json) return context.output.printJson(details);
      const { styles } = context.output;
      context.output.print(
        `${styles.bold(info.name)}${info.active ? styles.green(" (active)") : ""}`,
      );
      const rows: [string, string][] = [
        ["path", info.path],
        ["description", info.description ?? ""],
        ["created", info.createdAt ?? ""],
        ["pipelines", `${details.pipelines} in ${paths.pipelines}`],
        ["styles", `${details.styles} in ${paths.styles}`],
        ["outputs", `${details.outputs} in ${paths.outputs}`],
        database
          ? ["data", `in ${database}`]
          : ["data", `${(details.dataBytes / 1024).toFixed(0)} KiB in ${paths.data}`],
      ];
      for (const [key, value] of rows) context.output.print(`  ${key.padEnd(12)}${value}`);
    });
}

function folderBytes(folder: string): number {
  if (!existsSync(folder)) return 0;
  let total = 0;
  for (const entry of readdirSync(folder, { withFileTypes: true })) {
    if (entry.isFile()) total += statSync(join(folder, entry.name)).size;
  }
  return total;
}
