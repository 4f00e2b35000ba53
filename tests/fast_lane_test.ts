/**
 * The fast lane (src/fast_lane.ts) answers GET /api/v1/session and GET/HEAD /api/v1/verify for a
 * live session let through, ahead of the router: its answers, log lines and metrics must be the
 * router's, and everything else must be left to the router.
 */
import { appLane, createRouter } from "../src/app.ts";
import type { Logger } from "../src/lib/log.ts";
import { assert, assertEquals } from "./assert.ts";
import { api, Browser, type TestEnv } from "./helpers.ts";
import {
  APP,
  CADDY_VERIFY,
  caddyHeaders,
  PORTAL,
  reach,
  SSO_COOKIE,
  ssoSetup,
  WIKI,
} from "./sso_helpers.ts";

/** What Deno.serve hands `fetch()` as its second argument. */
const INFO = { remoteAddr: { transport: "tcp", hostname: "203.0.113.9", port: 50123 } };

type Logged = Record<string, unknown>;

/** Keeps the app's log lines in `lines` from now on. */
function captureLog(t: TestEnv): Logged[] {
  const lines: Logged[] = [];
  const log: Logger = (level, msg, fields) => lines.push({ level, msg, ...fields });
  (t.deps as { log: Logger }).log = log;
  return lines;
}

/** An answer without what differs by nature between two answers (the fresh request id). */
async function shape(res: Response, keepRequestId: boolean) {
  const headers = [...res.headers].filter(([k]) => keepRequestId || k !== "x-request-id");
  return { status: res.status, headers, body: await res.text() };
}

/** A log line without its timing and fresh request id. */
function steady(line: Logged, keepRequestId: boolean): Logged {
  const { duration_ms: _d, request_id, ...rest } = line;
  return keepRequestId ? { ...rest, request_id } : rest;
}

/**
 * Asks the lane and the router the same question: the lane must answer, with the router's
 * status, headers, body, log line and metrics.
 */
async function sameAnswer(t: TestEnv, url: string, init: RequestInit = {}) {
  const lines = captureLog(t);
  const keepId = new Headers(init.headers).has("x-request-id");
  const method = init.method ?? "GET";
  const route = new URL(url).pathname;
  const requests = () => t.deps.metrics.httpRequests.get({ method, route, status: "200" });
  const before = requests();

  const viaLane = await appLane(t.deps)(new Request(url, init), INFO);
  assert(viaLane, `the lane answers ${method} ${url}`);
  const viaRouter = await createRouter(t.deps).fetch(new Request(url, init), INFO);

  assertEquals(await shape(viaLane.clone(), keepId), await shape(viaRouter, keepId));
  assertEquals(viaLane.status, 200);
  assertEquals(lines.length, 2, "one log line each");
  assertEquals(steady(lines[0], keepId), steady(lines[1], keepId));
  assertEquals(requests(), before + 2, "each counted");
  return viaLane;
}

/** The lane hands the request to the router (null). */
async function declined(t: TestEnv, url: string, init: RequestInit = {}) {
  const lines = captureLog(t);
  assertEquals(await appLane(t.deps)(new Request(url, init), INFO), null, `${url} declined`);
  assertEquals(lines, [], "nothing logged by the lane");
}

Deno.test("fast lane: GET /api/v1/session answers as the route does, and leaves the rest", async () => {
  const { env: t, adminToken } = await ssoSetup();
  const bearer = { authorization: `Bearer ${adminToken}` };
  const res = await sameAnswer(t, `${PORTAL}/api/v1/session`, { headers: bearer });
  assertEquals((await res.json()).user.username, "alice");
  // The caller's request id comes back, from either way.
  await sameAnswer(t, `${PORTAL}/api/v1/session?x=1`, {
    headers: { ...bearer, "x-request-id": "edge-42" },
  });

  // No token, a body, another method or path: the router's.
  await declined(t, `${PORTAL}/api/v1/session`);
  await declined(t, `${PORTAL}/api/v1/session`, { headers: { ...bearer, "content-length": "0" } });
  await declined(t, `${PORTAL}/api/v1/session`, { method: "HEAD", headers: bearer });
  await declined(t, `${PORTAL}/api/v1/session`, { method: "POST", headers: bearer });
  await declined(t, `${PORTAL}/api/v1/session/`, { headers: bearer });
  await declined(t, `${PORTAL}/api/v1/%73ession`, { headers: bearer });

  // An API key: the route's (it answers with the key, and records its use).
  const key = await api(t, "POST", "/api/v1/admin/api-keys", {
    username: "alice",
    name: "reader",
    scopes: ["read"],
  }, adminToken);
  assertEquals(key.status, 201);
  await declined(t, `${PORTAL}/api/v1/session`, {
    headers: { authorization: `Bearer ${key.json.api_key}` },
  });
  const viaApp = await t.app.request(`${PORTAL}/api/v1/session`, {
    headers: { authorization: `Bearer ${key.json.api_key}` },
  });
  assertEquals((await viaApp.json()).api_key.id, key.json.id);

  // After logout the lane declines, and the app's answer is the router's 401.
  assertEquals((await api(t, "POST", "/api/v1/logout", undefined, adminToken)).status, 204);
  await declined(t, `${PORTAL}/api/v1/session`, { headers: bearer });
  const after = await t.app.request(`${PORTAL}/api/v1/session`, { headers: bearer });
  assertEquals(after.status, 401);
});

Deno.test("fast lane: GET and HEAD /api/v1/verify let a live session through as the route does", async () => {
  const { env: t, secret, adminToken } = await ssoSetup();
  const proxied = (url: string, extra: Record<string, string>) => ({
    headers: caddyHeaders(url, extra),
  });
  const verify = CADDY_VERIFY;

  // A Bearer session token.
  const viaToken = await sameAnswer(
    t,
    verify,
    proxied(`${APP}/reports`, { authorization: `Bearer ${adminToken}` }),
  );
  assertEquals(viaToken.headers.get("x-auth-user"), "alice");
  assertEquals(viaToken.headers.get("x-auth-key"), "");

  // A host's single sign-on cookie, after the whole trip through the portal.
  const portal = new Browser(t, PORTAL);
  const wiki = new Browser(t, WIKI);
  await reach(t, `${WIKI}/page`, portal, wiki, secret);
  const cookie = `${SSO_COOKIE}=${wiki.cookies.get(SSO_COOKIE)}`;
  const viaHost = await sameAnswer(t, verify, proxied(`${WIKI}/page`, { cookie }));
  assert(viaHost.headers.get("x-auth-session"));
  await sameAnswer(t, verify, { ...proxied(`${WIKI}/page`, { cookie }), method: "HEAD" });

  // The portal's own session cookie (nginx on the portal's host).
  const own = [...portal.cookies].map(([k, v]) => `${k}=${v}`).join("; ");
  await sameAnswer(t, verify, proxied(`${PORTAL}/account`, { cookie: own }));

  // Nobody signed in: the route's redirect to the portal, not the lane's.
  await declined(t, verify, proxied(`${APP}/reports`, {}));
  const login = await t.app.request(verify, proxied(`${APP}/reports`, {}));
  assertEquals(login.status, 302);
  // A host cookie presented to another host: the route's refusal.
  await declined(t, verify, proxied(`${APP}/reports`, { cookie }));
});
