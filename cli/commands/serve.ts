/**
 * `writeit serve [--host H] [--port P] [--database URL]`: runs the WriteIt server (REST API,
 * run WebSockets, dashboard) over every workspace of the home, the selected
 * workspace being the default one, until SIGINT or SIGTERM; then it shuts
 * down gracefully (running steps stay resumable). Logs are JSON lines on
 * standard output. Binding beyond loopback needs WRITEIT_API_TOKEN.
 * `--database postgres://…` stores every workspace in that PostgreSQL
 * database (as WRITEIT_DATABASE_URL would), so several servers can share it.
 */
import type { Command } from "commander";
import { localOnly } from "../command_mode.ts";
import { cliContext } from "../cli_context.ts";
import { UsageError } from "../usage_error.ts";

/** Registers `serve`. */
export function registerServeCommand(program: Command): void {
  localOnly(program.command("serve"))
    .description("run the API and dashboard server (loopback by default)")
    .option("--host <address>", "address to bind (default: server.host, 127.0.0.1)")
    .option("--port <port>", "port to listen on; 0 picks a free one (default: server.port, 8484)")
    .option(
      "--log-level <level>",
      "lowest log level: debug, info (every request), warn or error (default: server.log_level, info)",
    )
    .option(
      "--database <url>",
      "PostgreSQL database shared by several servers (postgres://…; default: storage.url)",
    )
    .action(async function (
      this: Command,
      options: { host?: string; port?: string; database?: string; logLevel?: string },
    ) {
      const context = cliContext(this);
      const { LOG_LEVELS } = await import("../../serve.ts");
      const logLevel = options.logLevel?.toLowerCase();
      if (logLevel !== undefined && !LOG_LEVELS.includes(logLevel as never)) {
        throw new UsageError(
          `--log-level must be one of ${LOG_LEVELS.join(", ")}, not "${options.logLevel}"`,
        );
      }
      if (options.database !== undefined && !/^postgres(ql)?:\/\//i.test(options.database)) {
        throw new UsageError(
          `--database must be a postgres:// URL such as postgres://writeit@127.0.0.1:5432/writeit, not "${
            options.database.replace(/\/\/([^:/@]*):[^@]*@/, "//$1:***@")
          }"`,
        );
      }
      let port: number | undefined;
      if (options.port !== undefined) {
        port = Number(options.port);
        if (!Number.isInteger(port) || port < 0 || port > 65535) {
          throw new UsageError(
            `--port must be a whole number from 0 to 65535, not "${options.port}"`,
          );
        }
      }
      const workspace = context.workspace().name;
      const { serveUntilStopped } = await import("../../serve.ts");
      await serveUntilStopped({
        home: context.home,
        host: options.host,
        port,
        logLevel: logLevel as "debug" | "info" | "warn" | "error" | undefined,
        // The server resolves each workspace's configuration from this environment.
        env: options.database === undefined
          ? context.env
          : { ...context.env, WRITEIT_DATABASE_URL: options.database },
        workspace,
      });
    });
}
