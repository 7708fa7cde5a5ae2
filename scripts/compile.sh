#!/usr/bin/env bash
# `./task compile`: a standalone dist/writeit binary (`deno compile`, with the
# bundled pipelines, layouts, the dashboard's prebuilt bundle and stylesheet
# embedded, so that nothing is read from the source tree at run time). deno compile
# builds on "denort", Deno's runtime base binary, which it downloads from
# dl.deno.land for this Deno version and platform unless DENORT_BIN names a
# local copy. Where that download cannot happen (no internet), this says
# which file to fetch elsewhere and how to point DENORT_BIN at it, instead of
# deno's bare download error.
set -uo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
version="$(deno --version | head -1 | cut -d' ' -f2)"
case "$(uname -s)-$(uname -m)" in
  Linux-x86_64) target="x86_64-unknown-linux-gnu" ;;
  Linux-aarch64) target="aarch64-unknown-linux-gnu" ;;
  Darwin-x86_64) target="x86_64-apple-darwin" ;;
  Darwin-arm64) target="aarch64-apple-darwin" ;;
  *) target="$(uname -m)-unknown" ;;
esac
zip="denort-$target.zip"
url="https://dl.deno.land/release/v$version/$zip"
if [ -n "${DENORT_BIN:-}" ] && [ ! -x "$DENORT_BIN" ]; then
  echo "compile: DENORT_BIN is \"$DENORT_BIN\", which is not an executable file: unzip $zip (from $url) and point DENORT_BIN at the denort inside" >&2
  exit 1
fi
mkdir -p dist static/build
# A compiled binary has no esbuild to run: the dashboard's bundle is built now and embedded.
deno run --quiet --allow-all server/island_bundle.ts static/build/islands.json || exit 1
log="$(mktemp)"
trap 'rm -f "$log"' EXIT
deno compile --allow-all --include pipelines --include engine/export --include islands \
  --include static --output dist/writeit cli.ts >"$log" 2>&1
status=$?
cat "$log" >&2
if [ "$status" -eq 0 ]; then
  echo "compile: built dist/writeit"
  exit 0
fi
rm -f dist/writeit.tmp-*
if grep -q "dl.deno.land\|dns error\|Download" "$log"; then
  cat >&2 <<MESSAGE
compile: deno compile needs denort, Deno $version's runtime base for $target, and could not download it from
  $url
Fetch that file on a machine that can reach it, unzip it here, and run
  DENORT_BIN=\$PWD/denort ./task compile
(the ./writeit launcher and the package from ./task pack need no download.)
MESSAGE
fi
exit 1
