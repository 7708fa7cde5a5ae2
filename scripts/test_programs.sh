#!/usr/bin/env bash
# What the test suite drives for real, outside npm: tmux (interactive CLI
# sessions), zsh and fish (the completion scripts must be accepted by those
# shells), Chromium (the dashboard's browser tests, through playwright-core),
# and PostgreSQL 15 on 127.0.0.1:5432 (the shared backend's tests). Installs
# the missing Debian packages when it can (as root, or with sudo that needs
# no password) and starts a stopped PostgreSQL cluster; otherwise it says the
# one command to run and exits 1, so a test run never fails for a reason
# nobody was told. `./task test` and `.ci/run` call it first.
set -uo pipefail

log() { printf 'writeit tests: %s\n' "$*" >&2; }

if [ "$(id -u)" = 0 ]; then
  sudo=""
elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
  sudo="sudo -n"
else
  sudo="none"
fi

missing=()
for program in tmux zsh fish chromium; do
  command -v "$program" >/dev/null 2>&1 || missing+=("$program")
done
if [ ${#missing[@]} -gt 0 ]; then
  if [ "$sudo" = none ]; then
    log "the tests need ${missing[*]}: install them with"
    log "  sudo apt-get update && sudo apt-get install -y ${missing[*]}"
    exit 1
  fi
  log "installing ${missing[*]} from Debian"
  if ! { $sudo apt-get update -qq && $sudo apt-get install -y -qq "${missing[@]}" >/dev/null; }; then
    log "could not install ${missing[*]}: run sudo apt-get install -y ${missing[*]}"
    exit 1
  fi
fi

if ! command -v pg_isready >/dev/null 2>&1; then
  log "PostgreSQL is not installed: the shared backend's tests will fail (sudo apt-get install -y postgresql)"
elif ! pg_isready -q -h 127.0.0.1; then
  if [ "$sudo" != none ]; then
    log "starting PostgreSQL"
    for version in $(ls /etc/postgresql 2>/dev/null); do
      $sudo pg_ctlcluster --skip-systemctl-redirect "$version" main start ||
        log "could not start PostgreSQL $version"
    done
    for _ in $(seq 1 30); do pg_isready -q -h 127.0.0.1 && break; sleep 1; done
  fi
  pg_isready -q -h 127.0.0.1 ||
    log "PostgreSQL is not answering on 127.0.0.1:5432: its tests will fail (start it with pg_ctlcluster --skip-systemctl-redirect 15 main start)"
fi
exit 0
