/**
 * `writeit --server URL workspace list`: the server home's workspaces; `*`
 * marks the one its unscoped routes use (its default). JSON rows carry
 * `name`, `active` (true for the server's default, as `active` marks the
 * local active workspace) and `isDefault`.
 */
import type { Command } from "commander";
import { remoteContext, remotely } from "./remote_context.ts";

/** Registers `workspace list` for `--server`. */
export function registerRemoteWorkspaceCommands(program: Command): Command {
  const workspace = program.command("workspace").description(
    "manage workspaces (separate runs, caches and files)",
  );
  workspace.command("list")
    .description("list the server's workspaces; * marks its default one")
    .option("--json", "print the list as JSON")
    .action((_options: unknown, command: Command) =>
      remotely(async () => {
        const context = remoteContext(command);
        const list = await context.client.listWorkspaces();
        const rows = list.map((item) => ({
          name: item.name,
          active: item.isDefault,
          isDefault: item.isDefault,
        }));
        if (context.json) return context.output.printJson(rows);
        const { styles } = context.output;
        context.output.table(rows, [
          { header: "", value: (row) => (row.active ? styles.green("*") : " ") },
          { header: "NAME", value: (row) => (row.active ? styles.bold(row.name) : row.name) },
        ], "the server has no workspaces");
      })
    );
  return workspace;
}
