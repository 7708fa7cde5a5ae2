/**
 * Builds the dashboard's browser code: every island in `ISLANDS` plus the
 * loader (islands/boot.ts) bundled by esbuild as ES modules with shared
 * chunks (Preact and signals load once), minified, under content-hashed file
 * names, plus the stylesheet (static/dashboard.css) hashed the same way. The
 * build runs once per process, in memory (about 50 ms), and nothing is
 * fetched from a network at run time. `staticRoutes` serves the result under
 * `/static/*` with immutable caching; `loaderScript` writes the few lines a
 * page needs to hydrate its islands; `pageBytes` says how much JavaScript a
 * page loads. A compiled binary (`./task compile`) has no esbuild to run: it
 * serves the bundle `writePrebuiltBundle` wrote into static/build/ before
 * compiling, embedded with the binary.
 *
 * @example
 * ```ts
 * const bundle = await islandBundle();
 * app.route("/static", staticRoutes(bundle));
 * console.log(bundle.pageBytes(["RunView"]));
 * ```
 */
import { readFileSync, writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { Hono } from "hono";

/** Island name (the component's export name) → its module, relative to the project root. */
export const ISLANDS: Record<string, string> = {
  StartRunForm: "islands/start_run_form.tsx",
  RunView: "islands/run_view.tsx",
  RunsTable: "islands/runs_table.tsx",
};

/** URL prefix of built files. */
export const BUILD_PREFIX = "/static/build/";

/** One file served under `/static/`. */
export interface StaticAsset {
  /** URL path (`/static/build/boot-3F2A1B.js`). */
  path: string;
  contentType: string;
  body: Uint8Array;
}

/** The built browser code and stylesheet. */
export interface IslandBundle {
  /** URL of the loader module. */
  boot: string;
  /** Island name → URL of its entry module. */
  islands: Record<string, string>;
  /** URL of the stylesheet. */
  stylesheet: string;
  /** Every file by URL path. */
  assets: Map<string, StaticAsset>;
  /** Bytes of JavaScript (loader, islands and every chunk they import) a page with these islands loads. */
  pageBytes(names: string[]): number;
  /** Milliseconds the build took. */
  buildMilliseconds: number;
  /** URL path → URL paths of the chunks it imports. */
  imports: Map<string, string[]>;
}

/** Where `./task compile` puts the prebuilt bundle, relative to the project root. */
export const PREBUILT_BUNDLE = "static/build/islands.json";

const ROOT = fileURLToPath(new URL("../", import.meta.url));

let shared: Promise<IslandBundle> | undefined;

/** The process's bundle, built on first call (read from the embedded prebuilt one in a compiled binary). */
export function islandBundle(): Promise<IslandBundle> {
  shared ??= Deno.build.standalone
    ? Promise.resolve().then(() => readPrebuiltBundle(`${ROOT}${PREBUILT_BUNDLE}`))
    : buildIslandBundle();
  shared.catch(() => shared = undefined);
  return shared;
}

/** Options of `buildIslandBundle`. */
export interface BuildOptions {
  /** Minify (default true). */
  minify?: boolean;
}

async function contentHash(bytes: Uint8Array): Promise<string> {
  const digest = new Uint8Array(await crypto.subtle.digest("SHA-256", bytes as BufferSource));
  return [...digest.slice(0, 5)].map((byte) => byte.toString(16).padStart(2, "0")).join("");
}

/** Bundles the islands and the stylesheet (esbuild is stopped afterwards). */
export async function buildIslandBundle(options: BuildOptions = {}): Promise<IslandBundle> {
  const started = performance.now();
  const esbuild = await import("esbuild");
  const entryPoints = [
    { in: `${ROOT}islands/boot.ts`, out: "boot" },
    ...Object.entries(ISLANDS).map(([name, file]) => ({ in: `${ROOT}${file}`, out: name })),
  ];
  let result;
  try {
    result = await esbuild.build({
      entryPoints,
      absWorkingDir: ROOT,
      bundle: true,
      splitting: true,
      format: "esm",
      platform: "browser",
      target: "es2022",
      minify: options.minify ?? true,
      write: false,
      outdir: `${ROOT}static/build`,
      entryNames: "[name]-[hash]",
      chunkNames: "chunk-[hash]",
      metafile: true,
      jsx: "automatic",
      jsxImportSource: "preact",
      legalComments: "none",
      logLevel: "silent",
    });
  } finally {
    await esbuild.stop();
  }
  const assets = new Map<string, StaticAsset>();
  const urlOf = (file: string) => `${BUILD_PREFIX}${file.slice(file.lastIndexOf("/") + 1)}`;
  for (const file of result.outputFiles) {
    const path = urlOf(file.path);
    assets.set(path, { path, contentType: "text/javascript; charset=utf-8", body: file.contents });
  }
  const islands: Record<string, string> = {};
  let boot = "";
  const imports = new Map<string, string[]>();
  for (const [file, output] of Object.entries(result.metafile.outputs)) {
    const path = urlOf(file);
    imports.set(path, output.imports.map((item) => urlOf(item.path)));
    const entry = entryPoints.find((point) =>
      output.entryPoint && `${ROOT}${output.entryPoint}` === point.in
    );
    if (!entry) continue;
    if (entry.out === "boot") boot = path;
    else islands[entry.out] = path;
  }
  const css = readFileSync(`${ROOT}static/dashboard.css`);
  const stylesheet = `/static/dashboard-${await contentHash(css)}.css`;
  assets.set(stylesheet, { path: stylesheet, contentType: "text/css; charset=utf-8", body: css });
  return bundleOf({
    boot,
    islands,
    stylesheet,
    assets,
    imports,
    buildMilliseconds: performance.now() - started,
  });
}

/** Adds `pageBytes` to what a build (or a prebuilt file) gives. */
function bundleOf(parts: Omit<IslandBundle, "pageBytes">): IslandBundle {
  const { boot, islands, assets, imports } = parts;
  const pageBytes = (names: string[]): number => {
    if (names.length === 0) return 0;
    const seen = new Set<string>();
    const visit = (path: string) => {
      if (seen.has(path)) return;
      seen.add(path);
      for (const next of imports.get(path) ?? []) visit(next);
    };
    visit(boot);
    for (const name of names) if (islands[name]) visit(islands[name]);
    let bytes = 0;
    for (const path of seen) bytes += assets.get(path)?.body.length ?? 0;
    return bytes;
  };
  return { ...parts, pageBytes };
}

/** The prebuilt bundle as stored: every asset base64-encoded. */
interface PrebuiltBundle {
  boot: string;
  islands: Record<string, string>;
  stylesheet: string;
  assets: { path: string; contentType: string; base64: string }[];
  imports: Record<string, string[]>;
}

/** Builds the bundle and writes it to `path` (PREBUILT_BUNDLE for `./task compile`). */
export async function writePrebuiltBundle(path: string): Promise<IslandBundle> {
  const bundle = await buildIslandBundle();
  const stored: PrebuiltBundle = {
    boot: bundle.boot,
    islands: bundle.islands,
    stylesheet: bundle.stylesheet,
    assets: [...bundle.assets.values()].map((asset) => ({
      path: asset.path,
      contentType: asset.contentType,
      base64: btoa(Array.from(asset.body, (byte) => String.fromCharCode(byte)).join("")),
    })),
    imports: Object.fromEntries(bundle.imports),
  };
  writeFileSync(path, JSON.stringify(stored));
  return bundle;
}

/** Reads a bundle `writePrebuiltBundle` wrote; a missing or damaged file says how to rebuild it. */
export function readPrebuiltBundle(path: string): IslandBundle {
  let stored: PrebuiltBundle;
  try {
    stored = JSON.parse(readFileSync(path, "utf8"));
  } catch (error) {
    throw new Error(
      `The dashboard's prebuilt bundle "${path}" cannot be read (${
        error instanceof Error ? error.message : String(error)
      }): build the binary with ./task compile, which writes and embeds it`,
      { cause: error },
    );
  }
  const assets = new Map<string, StaticAsset>();
  for (const asset of stored.assets) {
    const body = Uint8Array.from(atob(asset.base64), (char) => char.charCodeAt(0));
    assets.set(asset.path, { path: asset.path, contentType: asset.contentType, body });
  }
  return bundleOf({
    boot: stored.boot,
    islands: stored.islands,
    stylesheet: stored.stylesheet,
    assets,
    imports: new Map(Object.entries(stored.imports)),
    buildMilliseconds: 0,
  });
}

if (import.meta.main) {
  const path = Deno.args[0] ?? `${ROOT}${PREBUILT_BUNDLE}`;
  const bundle = await writePrebuiltBundle(path);
  console.log(`island bundle: wrote ${path} (${bundle.assets.size} files)`);
}

/** The module script that hydrates `names` on a page ("" when the page has no island). */
export function loaderScript(bundle: IslandBundle, names: string[]): string {
  const used = [...new Set(names)].filter((name) => bundle.islands[name]);
  if (used.length === 0) return "";
  const lines = [`import { hydrateIslands } from ${JSON.stringify(bundle.boot)};`];
  for (const name of used) {
    lines.push(`import { ${name} } from ${JSON.stringify(bundle.islands[name])};`);
  }
  lines.push(`hydrateIslands({ ${used.join(", ")} });`);
  return lines.join("\n");
}

/** Serves the bundle's files (mount at "/static"); unknown files are 404. */
export function staticRoutes(bundle: IslandBundle | Promise<IslandBundle>): Hono {
  const app = new Hono();
  app.get("/*", async function serveStatic(context) {
    const asset = (await bundle).assets.get(context.req.path);
    if (!asset) return context.text(`No static file ${context.req.path}`, 404);
    return context.body(asset.body as Uint8Array<ArrayBuffer>, 200, {
      "content-type": asset.contentType,
      "cache-control": "public, max-age=31536000, immutable",
      "x-content-type-options": "nosniff",
    });
  });
  return app;
}
