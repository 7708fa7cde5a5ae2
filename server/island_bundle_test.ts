import assert from "node:assert/strict";
import { Hono } from "hono";
import {
  buildIslandBundle,
  ISLANDS,
  loaderScript,
  readPrebuiltBundle,
  staticRoutes,
} from "./island_bundle.ts";

Deno.test("buildIslandBundle() bundles every island with content-hashed names and shared chunks", async () => {
  const bundle = await buildIslandBundle();
  assert.match(bundle.boot, /^\/static\/build\/boot-[A-Z0-9]+\.js$/);
  for (const name of Object.keys(ISLANDS)) {
    assert.match(bundle.islands[name], new RegExp(`^/static/build/${name}-[A-Z0-9]+\\.js$`));
    assert.ok(bundle.assets.has(bundle.islands[name]));
  }
  assert.match(bundle.stylesheet, /^\/static\/dashboard-[0-9a-f]{10}\.css$/);
  const chunks = [...bundle.assets.keys()].filter((path) => path.includes("/chunk-"));
  assert.ok(chunks.length >= 1, "preact is shared in a chunk, not copied into each island");
  const form = bundle.pageBytes(["StartRunForm"]);
  const run = bundle.pageBytes(["RunView"]);
  assert.equal(bundle.pageBytes([]), 0);
  // The form carries its inputs, the model field's checks and the cost estimate (about 62 KB).
  assert.ok(form > 5_000 && form < 70_000, `start form page loads ${form} bytes`);
  // The run page carries the Markdown parser (markdown-it with footnotes, about 107 KB of it).
  assert.ok(run > form && run < 235_000, `run page loads ${run} bytes`);
  console.log(
    `JS per page: StartRunForm ${form} B, RunView ${run} B (${
      bundle.buildMilliseconds.toFixed(0)
    } ms build)`,
  );
  const source = new TextDecoder().decode(bundle.assets.get(bundle.islands.RunView)!.body);
  assert.doesNotMatch(
    source,
    /https?:\/\/(?!www\.w3\.org)[a-z0-9-]+\.[a-z]/i,
    "no URL to fetch from a network",
  );
});

Deno.test("loaderScript() imports the loader and only the islands a page uses", async () => {
  const bundle = await buildIslandBundle({ minify: false });
  assert.equal(loaderScript(bundle, []), "");
  const script = loaderScript(bundle, ["RunView", "RunView", "Unknown"]);
  assert.ok(script.includes(`from "${bundle.boot}"`));
  assert.ok(script.includes(`import { RunView } from "${bundle.islands.RunView}"`));
  assert.ok(!script.includes("StartRunForm"));
  assert.ok(script.endsWith("hydrateIslands({ RunView });"));
});

Deno.test("staticRoutes() serves built files immutable and answers 404 for others", async () => {
  const bundle = await buildIslandBundle();
  const app = new Hono().route("/static", staticRoutes(bundle));
  const response = await app.request(bundle.boot);
  assert.equal(response.status, 200);
  assert.match(response.headers.get("content-type") ?? "", /text\/javascript/);
  assert.match(response.headers.get("cache-control") ?? "", /immutable/);
  assert.equal(
    (await response.arrayBuffer()).byteLength,
    bundle.assets.get(bundle.boot)!.body.length,
  );
  const css = await app.request(bundle.stylesheet);
  assert.match(css.headers.get("content-type") ?? "", /text\/css/);
  await css.body?.cancel();
  const missing = await app.request("/static/build/nope.js");
  assert.equal(missing.status, 404);
  await missing.body?.cancel();
});

Deno.test("The prebuilt bundle a compiled binary embeds serves the same files as a build", async () => {
  const folder = await Deno.makeTempDir({ prefix: "writeit-bundle-" });
  try {
    const path = `${folder}/islands.json`;
    const output = await new Deno.Command(Deno.execPath(), {
      args: [
        "run",
        "--quiet",
        "--allow-all",
        new URL("island_bundle.ts", import.meta.url).pathname,
        path,
      ],
      stdout: "piped",
      stderr: "piped",
    }).output();
    assert.equal(output.code, 0, new TextDecoder().decode(output.stderr));
    assert.match(new TextDecoder().decode(output.stdout), /island bundle: wrote .*islands\.json/);
    const built = await buildIslandBundle();
    const prebuilt = readPrebuiltBundle(path);
    assert.equal(prebuilt.boot, built.boot);
    assert.deepEqual(prebuilt.islands, built.islands);
    assert.equal(prebuilt.stylesheet, built.stylesheet);
    assert.deepEqual([...prebuilt.assets.keys()].sort(), [...built.assets.keys()].sort());
    for (const [file, asset] of built.assets) {
      assert.deepEqual(prebuilt.assets.get(file)!.body, new Uint8Array(asset.body), file);
    }
    assert.equal(prebuilt.pageBytes(["RunView"]), built.pageBytes(["RunView"]));
    const app = new Hono().route("/static", staticRoutes(prebuilt));
    const response = await app.request(prebuilt.islands.RunView);
    assert.equal(response.status, 200);
    assert.deepEqual(
      new Uint8Array(await response.arrayBuffer()),
      built.assets.get(built.islands.RunView)!.body,
    );
  } finally {
    await Deno.remove(folder, { recursive: true });
  }
});

Deno.test("readPrebuiltBundle() on a missing file says how to rebuild it", () => {
  assert.throws(
    () => readPrebuiltBundle("/nonexistent/islands.json"),
    /prebuilt bundle "\/nonexistent\/islands\.json" cannot be read .*: build the binary with \.\/task compile/,
  );
});
