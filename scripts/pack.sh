#!/usr/bin/env bash
# Builds the installable package: dist/writeit-VERSION.tgz, for
#   npm install -g dist/writeit-VERSION.tgz
# which puts `writeit` on PATH with no checkout. The package holds the
# program's sources (no tests, no benchmarks), the bundled pipelines, the
# dashboard's islands and stylesheet, and a package.json that adds the Deno
# runtime (npm package "deno") to the dependencies, so npm fetches everything
# it needs from the registry; after that it runs offline. The checkout itself
# keeps Deno in tools/deno/, never in node_modules/.bin, where it would break
# `deno task`. Prints the path of the package.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
command -v npm >/dev/null 2>&1 || { echo "pack: npm is needed (install Node.js 20 or newer)" >&2; exit 1; }
command -v node >/dev/null 2>&1 || { echo "pack: node is needed (install Node.js 20 or newer)" >&2; exit 1; }

stage="$(mktemp -d)"
trap 'rm -rf "$stage"' EXIT
package="$stage/writeit"
mkdir -p "$package" dist
for entry in cli.ts main.ts serve.ts config.ts environment.ts deno.json README.md writeit \
  cli client components engine islands pipelines protocol routes server static storage wiring; do
  cp -R "$entry" "$package/"
done
rm -rf "$package/static/build"
find "$package" -name '*_test.ts' -delete
node -e '
  const fs = require("node:fs");
  const source = JSON.parse(fs.readFileSync("package.json", "utf8"));
  const runtime = JSON.parse(fs.readFileSync("tools/deno/package.json", "utf8"));
  const manifest = {
    name: source.name,
    version: source.version,
    description: source.description,
    license: source.license,
    bin: { writeit: "writeit" },
    engines: { node: ">=20" },
    dependencies: { ...source.dependencies, ...runtime.dependencies },
  };
  fs.writeFileSync(process.argv[1], JSON.stringify(manifest, null, 2) + "\n");
' "$package/package.json"
(cd "$package" && npm pack --silent --pack-destination "$root/dist" >/dev/null)
version="$(node -p 'require("./package.json").version')"
echo "$root/dist/writeit-$version.tgz"
