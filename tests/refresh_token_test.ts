/**
 * Refresh tokens for programs: issued beside the session after password and code over JSON,
 * traded once for a new pair, a reused one ends the whole chain (audited), and no chain outlives
 * the remember-me lifetime, a logout, a password change or a 2FA reset.
 */
import { eq } from "drizzle-orm";
import { auditEvents, refreshTokens } from "../src/db/schema.ts";
import { randomBytes, sha256Hex, timeOrderedId } from "../src/lib/crypto.ts";
import { toBase64Url } from "../src/lib/encoding.ts";
import { DAY, HOUR } from "../src/lib/clock.ts";
import { assert, assertEquals } from "./assert.ts";
import {
  addUser,
  api,
  enrollViaApi,
  PASSWORD,
  signInWithCode,
  testApp,
  type TestEnv,
} from "./helpers.ts";

async function setup() {
  const env = await testApp();
  const alice = await addUser(env, "alice");
  const { secret } = await enrollViaApi(env, "alice");
  return { env, alice, secret };
}

const refresh = (env: TestEnv, refresh_token: string) =>
  api(env, "POST", "/api/v1/session/refresh", { refresh_token });
const whoami = async (env: TestEnv, token: string) =>
  (await api(env, "GET", "/api/v1/session", undefined, token)).status;

Deno.test("refresh: password and code over JSON give a refresh token; it is traded once for a new pair", async () => {
  const { env, secret } = await setup();
  const first = await signInWithCode(env, secret);
  assert(first.refresh_token?.startsWith("tfr_"), JSON.stringify(first));
  assertEquals(
    first.refresh_expires_at,
    new Date(env.clock.now().getTime() + 7 * DAY).toISOString(),
  );

  env.clock.advance(2 * HOUR);
  const next = await refresh(env, first.refresh_token);
  assertEquals(next.status, 200);
  assert(next.json.refresh_token !== first.refresh_token);
  assertEquals(next.json.refresh_expires_at, first.refresh_expires_at, "the chain keeps its end");
  assertEquals(await whoami(env, next.json.session_token), 200);
  assertEquals(await whoami(env, first.session_token), 401, "the old session ended");

  // The session token's own lifetime passes; the chain still refreshes until its end.
  env.clock.advance(30 * HOUR);
  assertEquals(await whoami(env, next.json.session_token), 401);
  const third = await refresh(env, next.json.refresh_token);
  assertEquals(third.status, 200);
  assertEquals(await whoami(env, third.json.session_token), 200);
});

Deno.test("refresh: a spent refresh token used again ends the whole chain and is audited", async () => {
  const { env, alice, secret } = await setup();
  const first = await signInWithCode(env, secret);
  const other = await signInWithCode(env, secret);
  const next = await refresh(env, first.refresh_token);
  assertEquals(next.status, 200);
  const reuse = await refresh(env, first.refresh_token);
  assertEquals(reuse.status, 401);
  assertEquals(reuse.json.error.code, "invalid_refresh_token");
  // Every session of the chain ended, and its newest refresh token is dead too.
  assertEquals(await whoami(env, next.json.session_token), 401);
  assertEquals((await refresh(env, next.json.refresh_token)).status, 401);
  // Another login's chain is untouched.
  assertEquals(await whoami(env, other.session_token), 200);
  assertEquals((await refresh(env, other.refresh_token)).status, 200);
  const audited = await env.deps.db.select().from(auditEvents)
    .where(eq(auditEvents.event, "session.refresh_reuse"));
  assertEquals(audited.length, 1);
  assertEquals(audited[0].userId, alice.id);
  assert(!audited[0].detail.includes("tfr_"), "no token in the log");
});

Deno.test("refresh: of parallel uses of one refresh token exactly one gets a pair", async () => {
  const { env, secret } = await setup();
  const first = await signInWithCode(env, secret);
  const answers = await Promise.all(
    Array.from({ length: 6 }, () => refresh(env, first.refresh_token)),
  );
  const ok = answers.filter((a) => a.status === 200);
  assertEquals(ok.length, 1, JSON.stringify(answers.map((a) => a.status)));
  for (const a of answers) if (a.status !== 200) assertEquals(a.status, 401);
  // The losers were uses of a spent token: the chain ended, the winner's pair with it.
  assertEquals(await whoami(env, ok[0].json.session_token), 401);
});

Deno.test("refresh: never past the remember-me lifetime, nor after logout, password change or 2FA reset", async () => {
  const { env, secret } = await setup();
  // Lifetime: 7 days (REMEMBER_ME_DAYS) from the login, however often it is refreshed.
  let pair = await signInWithCode(env, secret);
  for (let day = 0; day < 6; day++) {
    env.clock.advance(DAY);
    const r = await refresh(env, pair.refresh_token);
    assertEquals(r.status, 200, `day ${day + 1}`);
    pair = r.json;
  }
  env.clock.advance(DAY);
  assertEquals((await refresh(env, pair.refresh_token)).status, 401, "day 7: the chain is over");

  // Logout.
  pair = await signInWithCode(env, secret);
  assertEquals(
    (await api(env, "POST", "/api/v1/logout", undefined, pair.session_token)).status,
    204,
  );
  assertEquals((await refresh(env, pair.refresh_token)).status, 401);

  // Password change (in this very session).
  pair = await signInWithCode(env, secret);
  const changed = await api(env, "POST", "/api/v1/me/password", {
    current_password: PASSWORD,
    new_password: "another long passphrase here",
  }, pair.session_token);
  assertEquals(changed.status, 204);
  assertEquals((await refresh(env, pair.refresh_token)).status, 401);
});

Deno.test("refresh: a 2FA reset by an admin ends the chain; no refresh token without a second factor", async () => {
  const { env, alice, secret } = await setup();
  await addUser(env, "root", ["admin"]);
  const admin = await enrollViaApi(env, "root");
  assertEquals(admin.sessionToken.length > 0, true);
  const pair = await signInWithCode(env, secret);
  const reset = await api(
    env,
    "POST",
    `/api/v1/admin/users/${alice.id}/reset-2fa`,
    {},
    admin.sessionToken,
  );
  assertEquals(reset.status, 200, JSON.stringify(reset.json));
  assertEquals((await refresh(env, pair.refresh_token)).status, 401);
  // The login that now ends in enrollment yields a session without a refresh token.
  const enrolled = await api(env, "POST", "/api/v1/login", {
    username: "alice",
    password: PASSWORD,
  });
  assertEquals(enrolled.json.refresh_token, undefined);
  assertEquals((await refresh(env, "tfr_" + "x".repeat(43))).status, 401);
});

Deno.test("refresh: a token carries its time, its row the time and its SHA-256 (the index grows at one end); one stored before as a SHA-256 alone still refreshes once", async () => {
  const { env, secret } = await setup();
  const first = await signInWithCode(env, secret);
  const token = first.refresh_token as string;
  assertEquals(token.length, 4 + 8 + 43);
  assertEquals(token.slice(4, 12), timeOrderedId(env.clock.now()).slice(0, 8));
  const [row] = await env.deps.db.select().from(refreshTokens);
  assertEquals(row.tokenHash, token.slice(4, 12) + sha256Hex(token));

  // A token of the earlier format: no time in it, its row keyed by its SHA-256 alone.
  const earlier = "tfr_" + toBase64Url(randomBytes(32));
  await env.deps.db.update(refreshTokens).set({ tokenHash: sha256Hex(earlier) })
    .where(eq(refreshTokens.id, row.id));
  env.clock.advance(HOUR);
  assertEquals((await refresh(env, token)).status, 401, "its key was replaced");
  const next = await refresh(env, earlier);
  assertEquals(next.status, 200);
  assertEquals(next.json.refresh_token.length, 4 + 8 + 43, "the next one has the time");
  assertEquals(await whoami(env, next.json.session_token), 200);
  assertEquals((await refresh(env, next.json.refresh_token)).status, 200);
  // Spent: used again, it ends the chain.
  assertEquals((await refresh(env, earlier)).status, 401);
});
