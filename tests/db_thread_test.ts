/**
 * The login flow with the database on its own thread (DATABASE_THREAD=true, src/db/thread.ts):
 * enrollment, a TOTP login, the replay refusal and the session check, end to end.
 */
import { assertEquals } from "./assert.ts";
import { api, codeNow, enrollViaApi, pendingLogin, testApp } from "./helpers.ts";
import type { ThreadClient } from "../src/db/thread.ts";
import { addUser } from "./helpers.ts";

Deno.test("database thread: enroll, log in with a code, refuse its replay, check the session", async () => {
  const dir = await Deno.makeTempDir();
  const env = await testApp({ DATABASE_URL: `file:${dir}/t.db`, DATABASE_THREAD: "true" });
  try {
    await addUser(env, "alice");
    const enrolled = await enrollViaApi(env, "alice");
    env.clock.advance(60_000);
    const first = await pendingLogin(env, "alice");
    const code = codeNow(env, enrolled.secret);
    const ok = await api(env, "POST", "/api/v1/login/totp", {
      pending_token: first.pending_token,
      code,
    });
    assertEquals(ok.status, 200);
    const again = await pendingLogin(env, "alice");
    const replay = await api(env, "POST", "/api/v1/login/totp", {
      pending_token: again.pending_token,
      code,
    });
    assertEquals(replay.status, 401);
    const session = await api(env, "GET", "/api/v1/session", undefined, ok.json.session_token);
    assertEquals(session.status, 200);
    assertEquals(session.json.user.username, "alice");
  } finally {
    await (env.deps.db as unknown as { $client: ThreadClient }).$client.stop();
    await Deno.remove(dir, { recursive: true });
  }
});
