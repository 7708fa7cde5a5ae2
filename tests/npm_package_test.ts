/**
 * The installable package as a user gets it: scripts/pack.sh builds the
 * tarball, `npm install -g` puts it in a temporary prefix (its dependencies
 * from the npm registry or npm's cache), and the installed `writeit` runs
 * with no checkout, from another folder: the main job (a bundled pipeline on
 * the offline model), `--help`, `completion bash`, and `serve` answering its
 * health route and the dashboard. Needs npm (as the setup does).
 */
import assert from "node:assert/strict";
import { join } from "node:path";

const ROOT = new URL("../", import.meta.url).pathname;

async function run(
  command: string,
  args: string[],
  options: { cwd?: string; env?: Record<string, string> } = {},
): Promise<{ code: number; stdout: string; stderr: string }> {
  const output = await new Deno.Command(command, {
    args,
    cwd: options.cwd,
    env: options.env,
    stdout: "piped",
    stderr: "piped",
  }).output();
  const decode = (bytes: Uint8Array) => new TextDecoder().decode(bytes);
  return { code: output.code, stdout: decode(output.stdout), stderr: decode(output.stderr) };
}

Deno.test({
  name: "npm install -g of the packed tarball gives a writeit that runs with no checkout",
  sanitizeResources: false,
  fn: async () => {
    const scratch = await Deno.makeTempDir({ prefix: "writeit-package-" });
    try {
      const packed = await run("bash", [join(ROOT, "scripts/pack.sh")]);
      assert.equal(packed.code, 0, packed.stderr);
      const tarball = packed.stdout.trim();
      assert.match(tarball, /dist\/writeit-\d+\.\d+\.\d+\.tgz$/);
      const listing = await run("tar", ["-tzf", tarball]);
      assert.ok(listing.stdout.includes("package/cli.ts"));
      assert.ok(listing.stdout.includes("package/pipelines/quick-article.yaml"));
      assert.doesNotMatch(listing.stdout, /_test\.ts|package\/tests\/|package\/bench\//);

      const prefix = join(scratch, "prefix");
      const installed = await run("npm", [
        "install",
        "-g",
        "--prefix",
        prefix,
        "--loglevel=error",
        "--no-fund",
        "--no-audit",
        tarball,
      ]);
      assert.equal(installed.code, 0, installed.stderr);
      const writeit = join(prefix, "bin", "writeit");
      const elsewhere = join(scratch, "elsewhere");
      await Deno.mkdir(elsewhere);
      const env = {
        PATH: Deno.env.get("PATH") ?? "/usr/bin:/bin",
        HOME: scratch,
        WRITEIT_HOME: join(scratch, "home"),
        NO_COLOR: "1",
      };
      const job = await run(
        writeit,
        ["run", "quick-article", "--yes", "--model", "offline", "--input", "topic=Installed"],
        { cwd: elsewhere, env },
      );
      assert.equal(job.code, 0, job.stderr);
      const said = job.stdout + job.stderr;
      assert.match(said, /Done\. Run [0-9a-f-]{36} completed: 3 steps/);
      const article = /Article: (.+\.md)/.exec(said)![1];
      assert.match(await Deno.readTextFile(article), /^---\n/);
      const help = await run(writeit, ["--help"], { cwd: elsewhere, env });
      assert.match(help.stdout, /^Usage: writeit/);
      const completion = await run(writeit, ["completion", "bash"], { cwd: elsewhere, env });
      assert.match(completion.stdout, /complete -F _writeit writeit/);

      const server = new Deno.Command(writeit, {
        args: ["serve", "--port", "0"],
        cwd: elsewhere,
        env,
        stdout: "piped",
        stderr: "null",
      }).spawn();
      try {
        const reader = server.stdout.pipeThrough(new TextDecoderStream()).getReader();
        let buffered = "";
        let url: string | undefined;
        while (!url) {
          const { value, done } = await reader.read();
          if (done) throw new Error("The installed server exited before listening");
          buffered += value;
          url = /"url":"(http:[^"]+)"/.exec(buffered)?.[1];
        }
        const health = await fetch(`${url}/api/health`);
        assert.equal((await health.json()).status, "ok");
        const page = await fetch(url);
        assert.equal(page.status, 200);
        assert.match(await page.text(), /WriteIt/);
        reader.cancel().catch(() => {});
      } finally {
        server.kill("SIGTERM");
        await server.status;
      }
    } finally {
      await Deno.remove(scratch, { recursive: true });
    }
  },
});
