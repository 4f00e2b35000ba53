/**
 * Security notifications against a real SMTP server: each arrives once, in the user's language,
 * in text and HTML, with a "this was not me" link; a user without an address gets none.
 */
import { deliverDue } from "../src/outbox/outbox.ts";
import { assert, assertEquals, assertStringIncludes } from "./assert.ts";
import {
  addUser,
  api,
  Browser,
  codeNow,
  enrollViaApi,
  nextStep,
  PASSWORD,
  pendingLogin,
  testApp,
  type TestEnv,
} from "./helpers.ts";
import { type ReceivedMail, SmtpSink } from "./mail/smtp_server.ts";
import { mailApp, userWithEmail } from "./mail/app.ts";
import { softCreate } from "./webauthn_authenticator.ts";

const NOT_ME = /https:\/\/login\.example\.test\/not-me\?token=[A-Za-z0-9_-]{43}/;

/** Delivers the outbox and returns the mails that arrived since `seen`. */
async function newMails(env: TestEnv, sink: SmtpSink, seen: number): Promise<ReceivedMail[]> {
  await deliverDue(env.deps);
  return (await sink.mails()).slice(seen);
}

async function expectOne(
  env: TestEnv,
  sink: SmtpSink,
  subject: string,
  body: string,
): Promise<ReceivedMail> {
  const seen = (await sink.mails()).length;
  const mails = await newMails(env, sink, seen);
  assertEquals(mails.map((m) => m.subject), [subject]);
  const [mail] = mails;
  assertStringIncludes(mail.text!, body);
  assertStringIncludes(mail.html!, body);
  assert(NOT_ME.test(mail.text!), `no "this was not me" link in ${mail.text}`);
  assertStringIncludes(mail.html!, 'href="https://login.example.test/not-me?token=');
  return mail;
}

async function addFactor(env: TestEnv, token: string, path: string, label: string) {
  const start = await api(env, "POST", path, { label }, token);
  assertEquals(start.status, 201, JSON.stringify(start.json));
  const confirm = await api(
    env,
    "POST",
    `/api/v1/enrollments/${start.json.enrollment_id}/confirm`,
    { code: codeNow(env, start.json.secret) },
    token,
  );
  assertEquals(confirm.status, 200, JSON.stringify(confirm.json));
  return { id: confirm.json.authenticator.id as string, secret: start.json.secret as string };
}

Deno.test("notifications: each factor and password change mails the user once, in French", async () => {
  const sink = await SmtpSink.start();
  try {
    const env = await mailApp(sink.url);
    await userWithEmail(env, "alice", "alice@example.test", "fr");
    const e = await enrollViaApi(env);
    const first = await expectOne(
      env,
      sink,
      "Example Co : un authentificateur a été ajouté",
      "a été ajouté à votre compte",
    );
    assertEquals(first.envelope_to, ["alice@example.test"]);
    assertStringIncludes(first.text!, "Compte: alice");

    const backup = await addFactor(env, e.sessionToken, "/api/v1/me/authenticators", "Tablette");
    await expectOne(
      env,
      sink,
      "Example Co : un authentificateur a été ajouté",
      "L’authentificateur « Tablette » a été ajouté",
    );
    await addFactor(env, e.sessionToken, `/api/v1/me/authenticators/${backup.id}/replace`, "Tél");
    await expectOne(
      env,
      sink,
      "Example Co : votre authentificateur a été remplacé",
      "remplacé par « Tél »",
    );
    const removed = await api(
      env,
      "DELETE",
      `/api/v1/me/authenticators/${e.authenticatorId}`,
      undefined,
      e.sessionToken,
    );
    assertEquals(removed.status, 204, JSON.stringify(removed.json));
    await expectOne(
      env,
      sink,
      "Example Co : un authentificateur a été supprimé",
      "« Authenticator app » a été supprimé",
    );
    assertEquals(
      (await api(env, "POST", "/api/v1/me/recovery-codes", undefined, e.sessionToken)).status,
      201,
    );
    await expectOne(
      env,
      sink,
      "Example Co : nouveaux codes de récupération",
      "les anciens ne fonctionnent plus",
    );
    const changed = await api(env, "POST", "/api/v1/me/password", {
      current_password: PASSWORD,
      new_password: "a different long passphrase",
    }, e.sessionToken);
    assertEquals(changed.status, 204);
    await expectOne(
      env,
      sink,
      "Example Co : votre mot de passe a été modifié",
      "Le mot de passe de votre compte a été modifié.",
    );
    // Nothing more, however often the outbox runs.
    env.clock.advance(3_600_000);
    assertEquals(await newMails(env, sink, 6), []);
  } finally {
    await sink.remove();
  }
});

/** Registers a key with the software authenticator, at the mail app's origin. */
async function registerKey(env: TestEnv, token: string, name: string): Promise<string> {
  const opts = await api(env, "POST", "/api/v1/me/security-keys/options", undefined, token);
  assertEquals(opts.status, 200, JSON.stringify(opts.json));
  const { credential } = await softCreate(opts.json.options, "https://login.example.test");
  const r = await api(env, "POST", "/api/v1/me/security-keys", {
    challenge_id: opts.json.challenge_id,
    name,
    credential,
  }, token);
  assertEquals(r.status, 201, JSON.stringify(r.json));
  return r.json.security_key.id;
}

Deno.test("notifications: a security key registered, removed by the user, removed by an admin; in French", async () => {
  const sink = await SmtpSink.start();
  try {
    const env = await mailApp(sink.url);
    await addUser(env, "root", ["admin"]);
    const admin = await enrollViaApi(env, "root");
    const alice = await userWithEmail(env, "alice", "alice@example.test", "fr");
    const e = await enrollViaApi(env);
    assertEquals((await newMails(env, sink, 0)).length, 1, "alice's authenticator app");

    const blue = await registerKey(env, e.sessionToken, "Clé bleue");
    const added = await expectOne(
      env,
      sink,
      "Example Co : une clé de sécurité ou passkey a été ajoutée",
      "La clé de sécurité ou passkey « Clé bleue » a été ajoutée à votre compte.",
    );
    assertEquals(added.envelope_to, ["alice@example.test"]);
    const spare = await registerKey(env, e.sessionToken, "Clé de secours");
    await expectOne(
      env,
      sink,
      "Example Co : une clé de sécurité ou passkey a été ajoutée",
      "« Clé de secours » a été ajoutée",
    );

    // A second session, which the removal ends (the mail's statements sit between the DELETE
    // and the statement that ends sessions when it deleted a row).
    nextStep(env);
    const p = await pendingLogin(env);
    const other = await api(env, "POST", "/api/v1/login/totp", {
      pending_token: p.pending_token,
      code: codeNow(env, e.secret),
    });
    assertEquals(other.status, 200, JSON.stringify(other.json));
    await newMails(env, sink, 0);
    const removed = await api(
      env,
      "DELETE",
      `/api/v1/me/security-keys/${spare}`,
      undefined,
      e.sessionToken,
    );
    assertEquals(removed.status, 204, JSON.stringify(removed.json));
    const gone = await api(env, "GET", "/api/v1/session", undefined, other.json.session_token);
    assertEquals(gone.status, 401);
    await expectOne(
      env,
      sink,
      "Example Co : une clé de sécurité ou passkey a été supprimée",
      "La clé de sécurité ou passkey « Clé de secours » a été supprimée de votre compte.",
    );
    // Removing it again changes nothing and mails nothing.
    const again = await api(
      env,
      "DELETE",
      `/api/v1/me/security-keys/${spare}`,
      undefined,
      e.sessionToken,
    );
    assertEquals(again.status, 404);

    const byAdmin = `/api/v1/admin/users/${alice.id}/security-keys/${blue}`;
    const r = await api(env, "DELETE", byAdmin, undefined, admin.sessionToken);
    assertEquals(r.status, 204, JSON.stringify(r.json));
    const adminMail = await expectOne(
      env,
      sink,
      "Example Co : un administrateur a supprimé une clé de sécurité ou passkey",
      "Un administrateur a supprimé la clé de sécurité ou passkey « Clé bleue » de votre compte.",
    );
    assertEquals(adminMail.envelope_to, ["alice@example.test"]);
    assertEquals((await api(env, "DELETE", byAdmin, undefined, admin.sessionToken)).status, 404);

    // Nothing more, however often the outbox runs.
    const total = (await sink.mails()).length;
    env.clock.advance(3_600_000);
    assertEquals(await newMails(env, sink, total), []);
  } finally {
    await sink.remove();
  }
});

Deno.test("notifications: a recovery code used, with how many remain; admin 2FA reset and disable; in German", async () => {
  const sink = await SmtpSink.start();
  try {
    const env = await mailApp(sink.url);
    await addUser(env, "root", ["admin"]);
    const admin = await enrollViaApi(env, "root");
    const bob = await userWithEmail(env, "bob", "bob@example.test", "de");
    const e = await enrollViaApi(env, "bob");
    const seen = (await newMails(env, sink, 0)).length;
    assertEquals(seen, 1, "bob's first authenticator; root has no address");

    nextStep(env);
    const login = await api(env, "POST", "/api/v1/login", { username: "bob", password: PASSWORD });
    const used = await api(env, "POST", "/api/v1/login/recovery", {
      pending_token: login.json.pending_token,
      recovery_code: e.recoveryCodes[0],
    });
    assertEquals(used.status, 200, JSON.stringify(used.json));
    await expectOne(
      env,
      sink,
      "Example Co: ein Wiederherstellungscode wurde verwendet",
      `Verbleibende Wiederherstellungscodes: ${e.recoveryCodes.length - 1}.`,
    );

    const reset = await api(
      env,
      "POST",
      `/api/v1/admin/users/${bob.id}/reset-2fa`,
      { mode: "plain" },
      admin.sessionToken,
    );
    assertEquals(reset.status, 200, JSON.stringify(reset.json));
    await expectOne(
      env,
      sink,
      "Example Co: Ihre Zwei-Faktor-Anmeldung wurde zurückgesetzt",
      "Ein Administrator hat die Zwei-Faktor-Anmeldung Ihres Kontos zurückgesetzt",
    );
    await enrollViaApi(env, "bob");
    await newMails(env, sink, 0);
    await api(env, "PUT", "/api/v1/admin/policy", { mode: "listed" }, admin.sessionToken);
    const disabled = await api(
      env,
      "POST",
      `/api/v1/admin/users/${bob.id}/disable-2fa`,
      undefined,
      admin.sessionToken,
    );
    assertEquals(disabled.status, 204, JSON.stringify(disabled.json));
    await expectOne(
      env,
      sink,
      "Example Co: die Zwei-Faktor-Anmeldung wurde abgeschaltet",
      "Ein Administrator hat die Zwei-Faktor-Anmeldung für Ihr Konto abgeschaltet",
    );
  } finally {
    await sink.remove();
  }
});

Deno.test("notifications: a lock after wrong passwords, in English by default; a reset; none without an address", async () => {
  const sink = await SmtpSink.start();
  try {
    const env = await mailApp(sink.url, { PASSWORD_MAX_FAILURES: "3" });
    await userWithEmail(env);
    await addUser(env, "noaddress");
    for (const username of ["alice", "noaddress"]) {
      for (let i = 0; i < 3; i++) {
        await api(env, "POST", "/api/v1/login", { username, password: "wrong" });
      }
    }
    const locked = await expectOne(
      env,
      sink,
      "Example Co: your account was locked",
      "Your account was locked until November 22, 2026 at 12:30 PM UTC after too many wrong passwords.",
    );
    assertEquals(locked.envelope_to, ["alice@example.test"]);

    await api(env, "POST", "/api/v1/password-reset", { username: "alice" });
    const [resetMail] = await newMails(env, sink, 1);
    const token = resetMail.text!.match(/token=([A-Za-z0-9_-]{43})/)![1];
    const done = await api(env, "POST", "/api/v1/password-reset/confirm", {
      token,
      new_password: "a different long passphrase",
    });
    assertEquals(done.status, 204);
    await expectOne(
      env,
      sink,
      "Example Co: your password was reset",
      "The password of your account was reset with a reset link.",
    );
  } finally {
    await sink.remove();
  }
});

Deno.test("admins see who has no address: the users list and the user page say so", async () => {
  const env = await testApp();
  await addUser(env, "root", ["admin"]);
  const withMail = await userWithEmail(env, "carol", "carol@example.test");
  const without = await addUser(env, "dave");
  const b = new Browser(env);
  await b.get("/login");
  await b.post("/login", { username: "root", password: PASSWORD });
  await b.get("/enroll");
  const secret = b.attr("secret", "data-secret")!;
  const enrollmentId = b.lastHtml.match(/name="enrollment_id" value="([^"]+)"/)![1];
  await b.post("/enroll", { enrollment_id: enrollmentId, code: codeNow(env, secret) });

  assertEquals((await b.get("/admin/users")).status, 200);
  const row = (name: string) =>
    b.lastHtml.match(new RegExp(`<tr data-user="${name}">.*?</tr>`))![0];
  assertStringIncludes(row("carol"), "carol@example.test");
  assertStringIncludes(row("dave"), '<span class="muted">none</span>');
  await b.get(`/admin/users/${without.id}`);
  assertStringIncludes(
    b.lastHtml,
    '<dd id="user-email">None: no reset link or security mail can reach this user</dd>',
  );
  await b.get(`/admin/users/${withMail.id}`);
  assertStringIncludes(b.lastHtml, '<dd id="user-email">carol@example.test</dd>');
});

Deno.test("notifications: turning one's own 2FA off mails the user", async () => {
  const sink = await SmtpSink.start();
  try {
    const env = await mailApp(sink.url);
    await addUser(env, "root", ["admin"]);
    const admin = await enrollViaApi(env, "root");
    await userWithEmail(env);
    const e = await enrollViaApi(env);
    await api(env, "PUT", "/api/v1/admin/policy", { mode: "listed" }, admin.sessionToken);
    await newMails(env, sink, 0);
    const off = await api(env, "DELETE", "/api/v1/me/2fa", undefined, e.sessionToken);
    assertEquals(off.status, 204, JSON.stringify(off.json));
    await expectOne(
      env,
      sink,
      "Example Co: two-step verification was turned off",
      "Two-step verification was turned off for your account from one of its sessions",
    );
  } finally {
    await sink.remove();
  }
});
