#!/usr/bin/env bash
# The load driver (bench/load.ts --url) against the Worker under `wrangler dev` on a local D1,
# from a clean checkout: install wrangler (tools/wrangler.sh), generate keys, bundle the Worker
# once, apply the migrations to a temporary local D1, serve it on 127.0.0.1, run the three timed
# phases (password at PBKDF2_ITERATIONS=600000, TOTP, session check), stop everything, print the
# results.
#
#   bash bench/worker.sh [--json FILE] [load.ts options, e.g. --users 200 --session-seconds 10]
#
# What is measured is workerd on this machine, not Cloudflare's production: wrangler dev runs
# two workerd processes, its proxy (which listens on the port the driver uses) and the one that
# runs the Worker, miniflare's entry worker and the local D1 (SQLite) together; and wrangler's
# node process, which prints a line per request. The CPU time of each is read from /proc and
# reported per request, the Worker's workerd as the server. The Worker's own CPU time, without
# the local D1 and miniflare, comes from a V8 profile of its isolate alone, through workerd's own
# inspector (bench/load.ts --worker-isolate, bench/worker_cpu.ts): the session and TOTP phases
# and a few password logins run again under it after the timed phases.
#
# The users are seeded by load.ts with createUser() straight into the D1 SQLite file under the
# persist directory while wrangler dev runs (WAL, ordinary SQLite locking: the Worker sees them
# at once), then rehashed at 600,000 iterations and enrolled through the JSON API, so enrollment
# and the pending tokens of the TOTP phase cost the full PBKDF2 price too (untimed).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"

json_out=""
load_args=()
while [ $# -gt 0 ]; do
  case "$1" in
    --json)
      json_out="$2"
      shift 2
      ;;
    *)
      load_args+=("$1")
      shift
      ;;
  esac
done

log() { printf '[bench/worker] %s\n' "$*" >&2; }

work="$(mktemp -d)"
dev_group=""
load_pid=""
# wrangler dev runs in its own process group (setsid): stopping it stops everything it started
# (wrangler's node, esbuild, both workerd processes), and only that.
stop_group() {
  kill -TERM -- "-$1" 2>/dev/null || true
  for _ in $(seq 1 50); do kill -0 -- "-$1" 2>/dev/null || break; sleep 0.1; done
  kill -KILL -- "-$1" 2>/dev/null || true
}
cleanup() {
  if [ -n "$load_pid" ]; then kill -TERM "$load_pid" 2>/dev/null || true; fi
  if [ -n "$dev_group" ]; then stop_group "$dev_group"; fi
  rm -rf "$work"
}
trap cleanup EXIT
trap "exit 130" INT
trap "exit 143" TERM

free_port() {
  deno eval 'const l = Deno.listen({ hostname: "127.0.0.1", port: 0 }); console.log(l.addr.port); l.close();'
}

wrangler() { bash "$root/tools/wrangler.sh" "$@"; }

log "installing wrangler and the app's packages"
deno install --quiet </dev/null
wrangler --version </dev/null >&2

iterations=600000
log "keys and settings (PBKDF2_ITERATIONS=$iterations, LOG_LEVEL=info as in wrangler.toml)"
deno run -A src/cli.ts keys:generate >"$work/dev.env" </dev/null
{
  echo "PBKDF2_ITERATIONS=$iterations"
  echo "LOG_LEVEL=info"
  # The pending tokens for the TOTP phase are issued before the password phase and a wait for
  # the next TOTP step; as in load.ts's seeding server, they must outlive a slow run.
  echo "PENDING_TOKEN_MINUTES=20"
} >>"$work/dev.env"

# Bundled once, then served with --no-bundle: wrangler dev reloads (a new workerd process) when a
# source file changes, and others may be editing src/ in this tree during the run.
log "bundling the Worker (wrangler deploy --dry-run)"
wrangler deploy --dry-run --outdir "$work/bundle" </dev/null >"$work/bundle.log" 2>&1 || {
  cat "$work/bundle.log" >&2
  exit 1
}

state="$work/d1-state"
log "migrations (wrangler d1 migrations apply --local)"
wrangler d1 migrations apply DB --local --persist-to "$state" </dev/null >"$work/migrate.log" 2>&1 || {
  cat "$work/migrate.log" >&2
  exit 1
}
d1_file="$(find "$state/v3/d1" -name '*.sqlite' ! -name 'metadata.sqlite' | head -n 1)"
if [ -z "$d1_file" ]; then
  log "no D1 SQLite file under $state"
  exit 1
fi

port="$(free_port)"
inspector_port="$(free_port)"
log "wrangler dev on 127.0.0.1:$port"
setsid bash "$root/tools/wrangler.sh" dev "$work/bundle/worker.js" --no-bundle \
  --config wrangler.toml --local --ip 127.0.0.1 --port "$port" \
  --inspector-port "$inspector_port" --persist-to "$state" \
  --env-file "$work/dev.env" --show-interactive-dev-session=false \
  </dev/null >"$work/dev.log" 2>&1 &
dev_group=$!
base="http://127.0.0.1:$port"

healthy=0
for _ in $(seq 1 120); do
  if deno eval "const r = await fetch('$base/healthz').catch(() => null);
    if (r?.status !== 200) Deno.exit(1); await r.body?.cancel();" 2>/dev/null; then
    healthy=1
    break
  fi
  sleep 0.5
done
if [ "$healthy" -ne 1 ]; then
  log "no answer from $base/healthz; wrangler's log:"
  cat "$work/dev.log" >&2
  exit 1
fi

# The workerd processes of this wrangler dev: the proxy is the one listening on $port.
proxy_pid=""
worker_pid=""
for pid in $(pgrep -g "$dev_group" -x workerd); do
  if tr '\0' ' ' <"/proc/$pid/cmdline" | grep -q -- "--socket-addr=entry=127.0.0.1:$port "; then
    proxy_pid="$pid"
  else
    worker_pid="$pid"
  fi
done
node_pid="$(ps -o ppid= -p "$worker_pid" 2>/dev/null | tr -d ' ')"
if [ -z "$proxy_pid" ] || [ -z "$worker_pid" ] || [ -z "$node_pid" ]; then
  log "could not tell wrangler dev's processes apart:"
  ps -o pid,ppid,pgid,args -g "$dev_group" >&2 || true
  exit 1
fi
log "workerd: Worker pid $worker_pid, proxy pid $proxy_pid; wrangler's node pid $node_pid"

# The Worker's name (wrangler.toml): workerd's inspector lists its isolate as core:user:<name>.
worker_name="$(sed -n 's/^name = "\(.*\)"$/\1/p' wrangler.toml | head -n 1)"
results="$work/results.json"
deno run -A bench/load.ts --url "$base" --database-url "file:$d1_file" \
  --server-pid "$worker_pid" --also-pid "proxy workerd=$proxy_pid" \
  --also-pid "wrangler node=$node_pid" --pbkdf2-iterations "$iterations" \
  --worker-isolate "$worker_name" --worker-bundle "$work/bundle/worker.js" \
  --users 200 --password-requests 200 "${load_args[@]}" --json "$results" </dev/null &
load_pid=$!
status=0
wait "$load_pid" || status=$?
load_pid=""
if [ "$status" -ne 0 ]; then
  log "bench/load.ts failed ($status); wrangler's log (last 40 lines):"
  tail -n 40 "$work/dev.log" >&2
  exit "$status"
fi
if grep -q "Reloading local server" "$work/dev.log"; then
  log "wrangler dev reloaded the Worker during the run: the figures are not valid"
  exit 1
fi
if [ -n "$json_out" ]; then cp "$results" "$json_out"; fi

deno eval '
const r = JSON.parse(Deno.readTextFileSync(Deno.args[0]));
const f = (x, d = 0) => x === null || x === undefined || !Number.isFinite(x) ? "-" :
  x.toLocaleString("en-US", { maximumFractionDigits: d });
console.log(`\nWorker (wrangler dev, local D1), PBKDF2_ITERATIONS ${r.timedServer.pbkdf2Iterations},` +
  ` ${r.seeding.enrolled} users, concurrency ${r.options.concurrency}; CPU in µs per request`);
console.log("phase     requests   req/s   p50 ms   p99 ms  errors  workerd  (main)  proxy   node");
for (const p of Object.values(r.phases)) {
  const also = p.alsoCpuUsPerRequest ?? {};
  console.log([p.name.padEnd(8), f(p.requests).padStart(9), f(p.rps, 1).padStart(7),
    f(p.p50Ms, 1).padStart(8), f(p.p99Ms, 1).padStart(8), f(p.errors).padStart(7),
    f(p.serverCpuUsPerRequest).padStart(8), f(p.serverMainThreadCpuUsPerRequest).padStart(7),
    f(also["proxy workerd"]).padStart(6), f(also["wrangler node"]).padStart(6)].join(" "));
}
console.log(`Worker workerd memory: peak ${f(r.memory.end?.hwmMb)} MB resident`);
const w = r.workerCpu ?? {};
if (w.error) console.log(`Worker isolate CPU: not measured (${w.error})`);
for (const [name, x] of Object.entries(w)) {
  if (name === "error") continue;
  console.log(`Worker isolate CPU, ${name} (profiled again, ${f(x.phase.requests)} requests): ` +
    `${f(x.ownUsPerRequest)} µs/req (workerd process in that phase ${f(x.phase.serverCpuUsPerRequest)};` +
    ` ${x.cpu.sampler}, period ${f(x.cpu.periodUs)} µs, ${f(x.cpu.busySamples)} samples;` +
    ` main thread ${f((x.cpu.mainThread?.waitMs ?? NaN) * 1000 / x.phase.requests)} µs/req waiting for a core)`);
}
' "$results"
