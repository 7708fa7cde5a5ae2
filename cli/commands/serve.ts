/**
 * `writeit serve [--host H] [--port P]`: runs the WriteIt server (REST API,
 * run WebSockets, dashboard) over every workspace of the home, the selected
 * workspace being the default one, until SIGINT or SIGTERM; then it shuts
 * down gracefully (running steps stay resumable). Logs are JSON lines on
 * standard output. Binding beyond loopback needs WRITEIT_API_TOKEN.
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
    .action(async function (this: Command, options: { host?: string; port?: string }) {
      const context = cliContext(this);
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
        env: context.env,
        workspace,
      });
    });
}
