/**
 * The client must bundle for the browser with esbuild: no `Deno.*`, no
 * `node:` modules, and nothing from the engine that pulls zod or lmdb in at
 * run time (engine types are `import type` only).
 */
import assert from "node:assert/strict";
import * as esbuild from "esbuild";

const ENTRIES = ["mod.ts", "writeit_client.ts", "run_socket.ts"].map((name) =>
  new URL(`./${name}`, import.meta.url).pathname
);

Deno.test("client/mod.ts, WriteItClient and RunSocket bundle for the browser without Deno, node: or npm packages", async () => {
  try {
    const result = await esbuild.build({
      entryPoints: ENTRIES,
      bundle: true,
      platform: "browser",
      format: "esm",
      target: "es2022",
      write: false,
      metafile: true,
      outdir: "/bundle",
      logLevel: "silent",
    });
    assert.deepEqual(result.errors, []);
    const inputs = Object.keys(result.metafile.inputs);
    assert.ok(inputs.some((input) => input.endsWith("client/writeit_client.ts")));
    const heavy = inputs.filter((input) =>
      input.includes("node_modules") || input.startsWith("node:") || input.includes("zod") ||
      input.includes("lmdb") || input.includes("/storage/")
    );
    assert.deepEqual(heavy, [], `unexpected inputs in the browser bundle: ${heavy.join(", ")}`);
    for (const file of result.outputFiles) {
      assert.doesNotMatch(file.text, /\bDeno\./, `${file.path} mentions Deno.*`);
      assert.doesNotMatch(file.text, /from\s+["']node:/, `${file.path} imports node:`);
      console.log(`bundle ${file.path.split("/").at(-1)}: ${file.contents.byteLength} bytes`);
    }
    const client = result.outputFiles.find((file) => file.path.endsWith("writeit_client.js"));
    assert.ok(client && /WriteItClient = class/.test(client.text));
    assert.ok(/RunSocket = class/.test(client.text), "watch() brings RunSocket along");
  } finally {
    await esbuild.stop();
  }
});
