#!/usr/bin/env bash
# `deno task worker:dev`: the Worker on this machine (wrangler dev on workerd, a local D1), ready
# to use: the D1 migrations applied, keys generated once, and the first-run setup link printed.
# State (the local D1 and the generated settings) stays in .wrangler-dev/ between runs; delete
# it to start from an empty database. PORT (default 8787) picks the port.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
state="${WORKER_DEV_STATE:-$root/.wrangler-dev}"
port="${PORT:-8787}"
vars="$state/dev.vars"
mkdir -p "$state"

if [ ! -s "$vars" ]; then
  echo "[worker:dev] generating keys and a setup token in $vars" >&2
  umask 077
  {
    deno run -A src/cli.ts keys:generate </dev/null
    echo "SETUP_TOKEN=$(deno eval 'const b = crypto.getRandomValues(new Uint8Array(32));
      console.log(btoa(String.fromCharCode(...b)).replace(/[+/=]/g, ""))')"
  } >"$vars"
fi

echo "[worker:dev] applying migrations to the local D1" >&2
bash tools/wrangler.sh d1 migrations apply DB --local --persist-to "$state" </dev/null >&2

token="$(sed -n 's/^SETUP_TOKEN=//p' "$vars")"
cat >&2 <<MSG

[worker:dev] http://127.0.0.1:$port/
[worker:dev] while no admin exists, create the first one at:
  http://127.0.0.1:$port/setup?token=$token

MSG
exec bash tools/wrangler.sh dev --local --ip 127.0.0.1 --port "$port" --persist-to "$state" \
  --env-file "$vars" --show-interactive-dev-session=false "$@"
