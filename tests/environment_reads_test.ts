/**
 * Environment variables are read in `environment.ts` alone (the house rule
 * of STYLE.md; config.ts resolves the configuration from it): every other shipping module takes an environment record from its
 * caller or from `processEnvironment()`. The scan covers every `.ts` and
 * `.tsx` file of the project except dependencies (`node_modules/`, `tools/`),
 * build output and tests (`tests/`, `*_test.ts`), which may set up their own
 * environment. Comments count too, so doc examples show the same habit.
 */
import assert from "node:assert/strict";
import { readdirSync, readFileSync } from "node:fs";
import { join, relative } from "node:path";

const ROOT_PATH = decodeURIComponent(new URL("../", import.meta.url).pathname);
const SKIPPED_FOLDERS = new Set(["node_modules", "tools", "tests", "dist", ".git"]);
const SKIPPED_PATHS = new Set(["static/build"]);
const ENV_READ =
  /\bDeno\s*\??\.\s*env\b|\bDeno\s*\??\.?\s*\[\s*["'`]env["'`]\s*\]|\{[^}]*\benv\b[^}]*\}\s*=\s*Deno\b/;

/** Every shipping source file under `folder`, as paths relative to the project root. */
function sourceFiles(folder: string): string[] {
  const found: string[] = [];
  for (const entry of readdirSync(folder, { withFileTypes: true })) {
    const path = join(folder, entry.name);
    const shown = relative(ROOT_PATH, path);
    if (entry.isDirectory()) {
      if (!SKIPPED_FOLDERS.has(entry.name) && !SKIPPED_PATHS.has(shown)) {
        found.push(...sourceFiles(path));
      }
    } else if (/\.tsx?$/.test(entry.name) && !/_test\.tsx?$/.test(entry.name)) {
      found.push(shown);
    }
  }
  return found;
}

/** `file:line` of every line of `file` that reads the environment. */
function environmentReads(file: string): string[] {
  return readFileSync(join(ROOT_PATH, file), "utf8").split("\n").flatMap((line, index) =>
    ENV_READ.test(line) ? [`${file}:${index + 1}: ${line.trim()}`] : []
  );
}

Deno.test("Deno.env is read in environment.ts alone", () => {
  const files = sourceFiles(ROOT_PATH).sort();
  assert.ok(files.length > 100, `only ${files.length} source files found under ${ROOT_PATH}`);
  assert.ok(files.includes("environment.ts"), "environment.ts is not among the scanned files");
  assert.ok(
    environmentReads("environment.ts").length > 0,
    "environment.ts reads no environment variable: the scan would find nothing anywhere",
  );
  const outside = files.filter((file) => file !== "environment.ts").flatMap(environmentReads);
  assert.deepEqual(
    outside,
    [],
    `Deno.env is read outside environment.ts: take an environment record from the caller or processEnvironment() of environment.ts instead:\n${
      outside.join("\n")
    }`,
  );
});

Deno.test("The environment scan recognises the ways of reading Deno.env", () => {
  const reads = [
    'Deno.env.get("NO_COLOR")',
    "const env = Deno.env.toObject();",
    "Deno?.env.get('X')",
    'Deno["env"].get("X")',
    "const { env } = Deno;",
  ];
  for (const line of reads) assert.ok(ENV_READ.test(line), line);
  for (const line of ["const env = processEnvironment();", "options.env ?? {}", "Deno.envelope"]) {
    assert.ok(!ENV_READ.test(line), line);
  }
});
