#!/usr/bin/env bash
# Installs what WriteIt needs, from the npm registry only, into the project:
#   tools/deno/      the Deno runtime (package "deno", exact version, own prefix)
#   node_modules/    every npm dependency at the versions package-lock.json pins
# `npm install --no-save` rather than `npm ci`: the lock files cannot list
# other platforms' optional binaries (the registry mirror lacks them), which
# `npm ci` refuses; every version is still the locked one (package.json pins
# exact versions too) and the lock files are never rewritten.
# Re-running is cheap: each part is installed again only when its lock file
# changed. Prints the path of the deno binary on stdout.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"

log() { printf 'writeit setup: %s\n' "$*" >&2; }

need_install() { # $1 = prefix folder
  local lock="$1/package-lock.json" stamp="$1/node_modules/.package-lock.json"
  [ -f "$stamp" ] || return 0
  [ "$lock" -nt "$stamp" ] && return 0
  return 1
}

# npm is needed only when something is to be installed: once set up, no start needs it.
if (need_install tools/deno || need_install .) && ! command -v npm >/dev/null 2>&1; then
  log "npm was not found: install Node.js 20 or newer (it includes npm), then run this again"
  exit 1
fi

export npm_config_fund=false npm_config_audit=false npm_config_update_notifier=false
if need_install tools/deno; then
  log "installing the Deno runtime into tools/deno (npm package \"deno\")"
  npm install --prefix tools/deno --no-save --loglevel=error >&2
fi
if need_install .; then
  log "installing npm dependencies at the versions package-lock.json pins"
  npm install --no-save --loglevel=error >&2
fi

deno=""
for candidate in tools/deno/node_modules/@deno/*/deno; do
  if [ -x "$candidate" ]; then deno="$root/$candidate"; break; fi
done
if [ -z "$deno" ]; then
  log "no Deno binary for this platform under tools/deno/node_modules/@deno: npm did not install the optional package \"@deno/<platform>\""
  exit 1
fi
printf '%s\n' "$deno"
