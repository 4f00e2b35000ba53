/**
 * @module What one kind of request costs the server, one kind at a time: the real server
 * (`src/main.ts` with `deno task start`'s V8 flags, a fresh database file), the load driver's
 * connections (bench/http.ts), and the server's CPU per request from `/proc`. Requests that need
 * no account (a health check, a 404, a JSON body refused by validation, a login step refused for
 * a malformed pending token) isolate what the router, its middleware layers, body reading and
 * validation cost before any of a feature's own work; beside the fast lane's session check
 * (bench/load.ts) and the HTTP floor (bench/floor.ts) they show where a change of those layers
 * lands. The tenth session found the body guard's per-request getter (40 µs per request with a
 * body) this way. Not part of `deno task bench`: a tool for comparing builds, run on each and
 * alternated (the figures move by a few µs from run to run).
 *   deno run -A bench/route_cost.ts [--requests 20000] [--rounds 3] [--kinds "a|b"] [--json FILE]
 * `--kinds` picks the kinds whose name contains one of the `|`-separated words.
 */
import type { HttpRequest } from "./http.ts";
import { readClockTicks, runPhase, Server, startTaskV8Flags } from "./load.ts";

const TOKEN_BODY = JSON.stringify({ pending_token: "x.y.z", code: "123456" });

/** The request kinds, none of which needs an account or changes the database. */
export const ROUTE_KINDS: Record<string, HttpRequest> = {
  "GET /livez": { method: "GET", path: "/livez" },
  "GET /healthz (SELECT 1)": { method: "GET", path: "/healthz" },
  "GET unknown /api path (404)": { method: "GET", path: "/api/v1/nope" },
  "POST unknown /api path (404, body unread)": {
    method: "POST",
    path: "/api/v1/nope",
    body: TOKEN_BODY,
  },
  "GET /api/v1/session without a token (401, router)": { method: "GET", path: "/api/v1/session" },
  "POST /api/v1/login/totp, body fails validation (400)": {
    method: "POST",
    path: "/api/v1/login/totp",
    body: JSON.stringify({ pending_token: 5 }),
  },
  "POST /api/v1/login/totp, malformed pending token (401)": {
    method: "POST",
    path: "/api/v1/login/totp",
    body: TOKEN_BODY,
  },
};

export type RouteCost = { kind: string; status: number; cpuUsPerRequest: number[] };

/** Drives each kind `rounds` times `requests` requests (after one untimed quarter). */
export async function measureRouteCosts(input: {
  requests: number;
  rounds: number;
  concurrency: number;
  kinds: string[];
}): Promise<RouteCost[]> {
  await readClockTicks();
  const tmp = await Deno.makeTempDir({ prefix: "twofold-route-cost-" });
  const server = await Server.start({
    label: "measured",
    env: { DATABASE_URL: `file:${tmp}/bench.db`, KEYS_FILE: `${tmp}/keys.json`, LOG_LEVEL: "info" },
    v8Flags: startTaskV8Flags(),
  });
  const out: RouteCost[] = [];
  try {
    for (const kind of input.kinds) {
      const req = ROUTE_KINDS[kind];
      if (!req) throw new Error(`unknown kind ${kind} (${Object.keys(ROUTE_KINDS).join(", ")})`);
      const result: RouteCost = { kind, status: 0, cpuUsPerRequest: [] };
      for (let round = 0; round <= input.rounds; round++) {
        // Round 0 is untimed: V8 compiles the path there.
        const phase = await runPhase(server.port, server.pid, {
          name: kind,
          concurrency: input.concurrency,
          count: round === 0 ? Math.ceil(input.requests / 4) : input.requests,
          request: () => req,
          check: (res) => {
            result.status = res.status;
            return null;
          },
        });
        if (round > 0) result.cpuUsPerRequest.push(phase.serverCpuUsPerRequest!);
      }
      out.push(result);
    }
  } finally {
    await server.stop();
    await Deno.remove(tmp, { recursive: true }).catch(() => {});
  }
  return out;
}

/** The kinds whose name contains one of the `|`-separated words (all kinds without any). */
function pickKinds(words: string | undefined): string[] {
  const all = Object.keys(ROUTE_KINDS);
  if (!words) return all;
  const picked = all.filter((k) => words.split("|").some((w) => k.includes(w)));
  if (picked.length === 0) throw new Error(`no kind matches ${words} (${all.join("; ")})`);
  return picked;
}

if (import.meta.main) {
  const arg = (name: string) => {
    const i = Deno.args.indexOf(name);
    return i >= 0 ? Deno.args[i + 1] : undefined;
  };
  const costs = await measureRouteCosts({
    requests: Number(arg("--requests") ?? 20_000),
    rounds: Number(arg("--rounds") ?? 3),
    concurrency: Number(arg("--concurrency") ?? 32),
    kinds: pickKinds(arg("--kinds")),
  });
  for (const c of costs) {
    console.log(
      `${c.kind.padEnd(56)} ${c.status}  server CPU µs/req: ${c.cpuUsPerRequest.join(" / ")}`,
    );
  }
  const json = arg("--json");
  if (json) await Deno.writeTextFile(json, JSON.stringify(costs, null, 2));
}
