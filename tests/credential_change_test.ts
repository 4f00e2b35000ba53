/**
 * A credential change (password changed or reset, 2FA reset or disabled by an admin or the user,
 * account disabled by an admin) kills every pending login and unconfirmed enrollment issued
 * before it: a pending token obtained with the old password no longer completes the login, by
 * TOTP code or by recovery code, and a started enrollment no longer confirms.
 */
import { passwordResets } from "../src/db/schema.ts";
import { randomId } from "../src/lib/crypto.ts";
import { toBase64Url, toHex, utf8 } from "../src/lib/encoding.ts";
import { assertEquals } from "./assert.ts";
import {
  addUser,
  api,
  codeNow,
  type Enrolled,
  enrollViaApi,
  nextStep,
  PASSWORD,
  pendingLogin,
  testApp,
  type TestEnv,
} from "./helpers.ts";

const NEW_PASSWORD = "a different long passphrase";

/** A live reset token for the user, stored as the service stores it (SHA-256). */
async function resetToken(env: TestEnv, userId: string): Promise<string> {
  const token = toBase64Url(crypto.getRandomValues(new Uint8Array(32)));
  const hash = toHex(new Uint8Array(await crypto.subtle.digest("SHA-256", utf8.encode(token))));
  const now = env.clock.now().getTime();
  await env.deps.db.insert(passwordResets).values({
    id: randomId(),
    userId,
    tokenHash: hash,
    createdAt: now,
    expiresAt: now + 60 * 60_000,
  });
  return token;
}

type World = {
  env: TestEnv;
  aliceId: string;
  alice: Enrolled;
  adminToken: string;
};

async function world(): Promise<World> {
  const env = await testApp();
  const user = await addUser(env);
  await addUser(env, "root", ["admin"]);
  const admin = await enrollViaApi(env, "root");
  const alice = await enrollViaApi(env);
  // "listed": 2FA only for admins, so that it may be turned off for alice.
  await api(env, "PUT", "/api/v1/admin/policy", { mode: "listed" }, admin.sessionToken);
  return { env, aliceId: user.id, alice, adminToken: admin.sessionToken };
}

type Change = {
  name: string;
  /** Makes the change; returns the factors in force afterwards if they are new. */
  apply(w: World): Promise<Enrolled | null>;
  /** The password that logs in afterwards. */
  password: string;
};

const CHANGES: Change[] = [
  {
    name: "a password change",
    password: NEW_PASSWORD,
    async apply(w) {
      const r = await api(w.env, "POST", "/api/v1/me/password", {
        current_password: PASSWORD,
        new_password: NEW_PASSWORD,
      }, w.alice.sessionToken);
      assertEquals(r.status, 204);
      return null;
    },
  },
  {
    name: "a password reset",
    password: NEW_PASSWORD,
    async apply(w) {
      const token = await resetToken(w.env, w.aliceId);
      const r = await api(w.env, "POST", "/api/v1/password-reset/confirm", {
        token,
        new_password: NEW_PASSWORD,
      });
      assertEquals(r.status, 204);
      return null;
    },
  },
  {
    name: "an admin's 2FA reset (and a new phone enrolled after it)",
    password: PASSWORD,
    async apply(w) {
      const r = await api(
        w.env,
        "POST",
        `/api/v1/admin/users/${w.aliceId}/reset-2fa`,
        { mode: "plain" },
        w.adminToken,
      );
      assertEquals(r.status, 200);
      // alice must enroll again to log in, since she had a factor: force the enrollment.
      await api(
        w.env,
        "POST",
        `/api/v1/admin/users/${w.aliceId}/require-2fa`,
        undefined,
        w.adminToken,
      );
      nextStep(w.env);
      return await enrollViaApi(w.env);
    },
  },
  {
    name: "an admin turning 2FA off",
    password: PASSWORD,
    async apply(w) {
      const r = await api(
        w.env,
        "POST",
        `/api/v1/admin/users/${w.aliceId}/disable-2fa`,
        undefined,
        w.adminToken,
      );
      assertEquals(r.status, 204);
      return null;
    },
  },
  {
    name: "the user turning 2FA off",
    password: PASSWORD,
    async apply(w) {
      const r = await api(w.env, "DELETE", "/api/v1/me/2fa", undefined, w.alice.sessionToken);
      assertEquals(r.status, 204);
      return null;
    },
  },
  {
    name: "an admin disabling the account (and enabling it again)",
    password: PASSWORD,
    async apply(w) {
      const path = `/api/v1/admin/users/${w.aliceId}`;
      assertEquals(
        (await api(w.env, "PATCH", path, { disabled: true }, w.adminToken)).status,
        200,
      );
      assertEquals(
        (await api(w.env, "PATCH", path, { disabled: false }, w.adminToken)).status,
        200,
      );
      return null;
    },
  },
];

const METHODS = {
  totp: (w: World, pending: string, factors: Enrolled) => {
    nextStep(w.env);
    return api(w.env, "POST", "/api/v1/login/totp", {
      pending_token: pending,
      code: codeNow(w.env, factors.secret),
    });
  },
  recovery_code: (w: World, pending: string, factors: Enrolled) =>
    api(w.env, "POST", "/api/v1/login/recovery", {
      pending_token: pending,
      recovery_code: factors.recoveryCodes[0],
    }),
};

for (const change of CHANGES) {
  for (const [method, complete] of Object.entries(METHODS)) {
    Deno.test(`credential change: ${change.name} kills a pending login (${method})`, async () => {
      const w = await world();
      nextStep(w.env);
      const p = await pendingLogin(w.env);
      assertEquals(p.status, "second_factor_required");
      const factors = (await change.apply(w)) ?? w.alice;
      const late = await complete(w, p.pending_token, factors);
      assertEquals(late.status, 401);
      assertEquals(late.json.error.code, "invalid_pending_token");
      // Control: the same factor still works in a login begun after the change (if one is
      // still needed at all).
      const fresh = await api(w.env, "POST", "/api/v1/login", {
        username: "alice",
        password: change.password,
      });
      assertEquals(fresh.status, 200);
      if (fresh.json.status === "second_factor_required") {
        const ok = await complete(w, fresh.json.pending_token, factors);
        assertEquals(ok.status, 200);
      } else {
        assertEquals(fresh.json.status, "authenticated");
      }
    });
  }
}

Deno.test("credential change: a password change kills an enrollment started in the session", async () => {
  const w = await world();
  const start = await api(w.env, "POST", "/api/v1/enrollments", {}, w.alice.sessionToken);
  assertEquals(start.status, 201);
  await CHANGES[0].apply(w);
  const confirm = await api(
    w.env,
    "POST",
    `/api/v1/enrollments/${start.json.enrollment_id}/confirm`,
    { code: codeNow(w.env, start.json.secret) },
    w.alice.sessionToken,
  );
  assertEquals(confirm.status, 410);
  assertEquals(confirm.json.error.code, "enrollment_expired");
});

for (const change of [CHANGES[1], CHANGES[5]]) {
  Deno.test(`credential change: ${change.name} kills an enrollment inside a pending login`, async () => {
    const w = await world();
    const bob = await addUser(w.env, "bob");
    await api(w.env, "POST", `/api/v1/admin/users/${bob.id}/require-2fa`, undefined, w.adminToken);
    const p = await pendingLogin(w.env, "bob");
    assertEquals(p.status, "enrollment_required");
    const start = await api(w.env, "POST", "/api/v1/enrollments", {}, p.pending_token);
    assertEquals(start.status, 201);
    await change.apply({ ...w, aliceId: bob.id });
    const confirm = await api(
      w.env,
      "POST",
      `/api/v1/enrollments/${start.json.enrollment_id}/confirm`,
      { code: codeNow(w.env, start.json.secret) },
      p.pending_token,
    );
    assertEquals(confirm.status, 401);
    assertEquals(confirm.json.error.code, "invalid_pending_token");
    // A new start with the dead pending token is refused too.
    const again = await api(w.env, "POST", "/api/v1/enrollments", {}, p.pending_token);
    assertEquals(again.json.error.code, "invalid_pending_token");
  });
}
