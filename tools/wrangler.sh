#!/usr/bin/env bash
# Runs the pinned wrangler (tools/wrangler/package.json) from the repository root, installing it
# on first use. The npm package `node` in the same folder supplies Node 22, which wrangler needs,
# whatever Node is on the machine. `deno install` first fills ./node_modules from deno.json,
# where wrangler's esbuild finds the app's packages. Usage: deno task wrangler <args>.
set -euo pipefail
tools="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(dirname "$tools")"
pkg="$tools/wrangler"

if [ ! -x "$pkg/node_modules/.bin/wrangler" ] || [ ! -x "$pkg/node_modules/.bin/node" ] ||
  [ "$pkg/package-lock.json" -nt "$pkg/node_modules/.package-lock.json" ]; then
  echo "[wrangler.sh] installing tools/wrangler (npm, versions from its package-lock.json)" >&2
  # `npm install --no-save`, not `npm ci`: the lock holds only this platform's workerd and
  # esbuild binaries, which `npm ci` refuses; the versions still come from the lock.
  npm install --prefix "$pkg" --no-save --no-audit --no-fund --loglevel=error </dev/null >&2
fi
if command -v deno >/dev/null 2>&1; then
  # TWOFOLD_DENO_LOCK=tests/deno.lock (set by the tests): `deno install` syncs node_modules to
  # the lock it is given, so with deno.lock it would take the tests' packages away mid-run.
  (cd "$root" && deno install --quiet ${TWOFOLD_DENO_LOCK:+"--lock=$TWOFOLD_DENO_LOCK"}) </dev/null >&2
elif [ ! -d "$root/node_modules/hono" ]; then
  echo "[wrangler.sh] deno is needed once to fill node_modules: npx -y deno install" >&2
  exit 1
fi

export PATH="$pkg/node_modules/.bin:$PATH"
export WRANGLER_SEND_METRICS="${WRANGLER_SEND_METRICS:-false}"
cd "$root"
exec wrangler "$@"
