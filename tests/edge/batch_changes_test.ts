/**
 * The guard the login and enrollment batches rely on, checked on the database engine itself:
 * inside one `db.batch()`, `changes()` in a statement reports the rows the previous statement
 * changed, so "consume the pending login, then use up the factor only if that happened, then
 * create the session only if that happened" holds without interactive transactions. Runs on
 * libSQL in process and, with TWOFOLD_BASE_URL, on the Worker's local D1 through
 * `D1Database.batch()`, or on a libSQL server over HTTP (the statements mirror
 * src/login/flow.ts completeSecondFactor).
 */
import { assertEquals } from "../assert.ts";
import { lit, target } from "./target.ts";

Deno.test("batch: changes() chains statements, so a lost race leaves no session behind", async () => {
  const env = await target();
  const id = crypto.randomUUID().slice(0, 8);
  const user = `u_${id}`;
  const auth = `a_${id}`;
  await env.batch([
    `INSERT INTO users (id, username, display_name, password_hash, roles, created_at)
     VALUES (${lit(user)}, ${lit(`probe_${id}`)}, 'probe', 'x', '[]', 0)`,
    `INSERT INTO authenticators (id, user_id, label, secret_enc, created_at, last_step)
     VALUES (${lit(auth)}, ${lit(user)}, 'probe', 'x', 0, 100)`,
    ...[1, 2].map((n) =>
      `INSERT INTO pending_logins (id, user_id, purpose, created_at, expires_at)
       VALUES (${lit(`p${n}_${id}`)}, ${lit(user)}, 'challenge', 0, 9999999999999)`
    ),
  ]);

  const complete = async (pending: string, session: string, step: number) => {
    const results = await env.batch([
      `UPDATE pending_logins SET consumed_at = 1, session_id = ${lit(session)}
       WHERE id = ${lit(pending)} AND consumed_at IS NULL RETURNING id`,
      `UPDATE authenticators SET last_step = ${step}
       WHERE id = ${lit(auth)} AND (last_step IS NULL OR last_step < ${step}) AND changes() = 1
       RETURNING id`,
      `INSERT INTO sessions (id, user_id, amr, created_at, last_seen_at, expires_at)
       SELECT ${lit(session)}, ${lit(user)}, '[]', 1, 1, 2
       WHERE changes() = 1 AND EXISTS (SELECT 1 FROM pending_logins
         WHERE id = ${lit(pending)} AND session_id = ${lit(session)})`,
      `SELECT (SELECT count(*) FROM sessions WHERE user_id = ${lit(user)}) AS sessions,
         (SELECT last_step FROM authenticators WHERE id = ${lit(auth)}) AS last_step`,
    ]);
    const state = results[3][0];
    return {
      pending: results[0].length,
      factor: results[1].length,
      sessions: Number(state.sessions),
      lastStep: Number(state.last_step),
    };
  };

  // The winner: pending consumed, step advanced, session created.
  assertEquals(await complete(`p1_${id}`, `s1_${id}`, 101), {
    pending: 1,
    factor: 1,
    sessions: 1,
    lastStep: 101,
  });
  // Same step on another pending login (a replay that passed the check in code): the pending
  // login is consumed, but the step does not advance, so no session is made.
  assertEquals(await complete(`p2_${id}`, `s2_${id}`, 101), {
    pending: 1,
    factor: 0,
    sessions: 1,
    lastStep: 101,
  });
  // A newer step on an already consumed pending login: the first statement changes nothing,
  // so `changes() = 1` keeps the step from advancing and no session is made.
  assertEquals(await complete(`p1_${id}`, `s3_${id}`, 102), {
    pending: 0,
    factor: 0,
    sessions: 1,
    lastStep: 101,
  });
});
