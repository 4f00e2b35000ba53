/**
 * Mail against a real SMTP server (aiosmtpd on 127.0.0.1, see tests/mail/): the reset mail
 * arrives and its link works once; a server that is down delays mail without failing a login;
 * nothing is sent twice after a restart; TLS (smtps and STARTTLS) is verified.
 */
import { outbox } from "../src/db/schema.ts";
import { deliverDue } from "../src/outbox/outbox.ts";
import { assert, assertEquals, assertMatch, assertStringIncludes } from "./assert.ts";
import { addUser, api, PASSWORD } from "./helpers.ts";
import { FROM, mailApp, userWithEmail } from "./mail/app.ts";
import { freePort, type ReceivedMail, selfSignedCert, SmtpSink } from "./mail/smtp_server.ts";

const NEW_PASSWORD = "a different long passphrase";
const linkIn = (mail: ReceivedMail, path: string) =>
  mail.text!.match(new RegExp(`https://login\\.example\\.test${path}\\?token=[A-Za-z0-9_-]{43}`))
    ?.[0];

Deno.test("reset mail: arrives over SMTP in text and HTML, and its link works once", async () => {
  const sink = await SmtpSink.start();
  try {
    const env = await mailApp(sink.url);
    await userWithEmail(env);
    const asked = await api(
      env,
      "POST",
      "/api/v1/password-reset",
      { username: "alice" },
      undefined,
      {
        "user-agent": "Mozilla/5.0 (X11; Linux x86_64; rv:140.0) Gecko/20100101 Firefox/140.0",
      },
    );
    assertEquals(asked.status, 202);
    assertEquals(await sink.mails(), [], "the request itself sends nothing");
    assertEquals(await deliverDue(env.deps), 1);
    const [mail] = await sink.mails();
    assertEquals(mail.envelope_to, ["alice@example.test"]);
    assertEquals(mail.from, FROM);
    assertEquals(mail.subject, "Example Co: reset your password");
    const [row] = await env.deps.db.select().from(outbox);
    assertEquals(mail.message_id, `<${row.id}.twofold@example.test>`);
    const link = linkIn(mail, "/password/reset");
    assert(link, `no reset link in ${mail.text}`);
    assertStringIncludes(mail.html!, `href="${link}"`);
    assertStringIncludes(mail.text!, "Firefox on Linux");
    assertStringIncludes(mail.text!, "When: November 22, 2026 at 12:00 PM UTC");
    // Once sent, the outbox keeps no body: the link held a live token.
    const [sent] = await env.deps.db.select().from(outbox);
    assert(sent.deliveredAt !== null);
    assert(!sent.payload.includes("token="), "the sent mail's link stayed in the outbox");

    const token = new URL(link).searchParams.get("token")!;
    const ok = await api(env, "POST", "/api/v1/password-reset/confirm", {
      token,
      new_password: NEW_PASSWORD,
    });
    assertEquals(ok.status, 204);
    const again = await api(env, "POST", "/api/v1/password-reset/confirm", {
      token,
      new_password: "yet another passphrase",
    });
    assertEquals(again.json.error.code, "invalid_reset_token");
    const login = await api(env, "POST", "/api/v1/login", {
      username: "alice",
      password: NEW_PASSWORD,
    });
    assertEquals(login.status, 200);
  } finally {
    await sink.remove();
  }
});

Deno.test("reset mail: an account without an address gets none, and the answer is the same", async () => {
  const sink = await SmtpSink.start();
  try {
    const env = await mailApp(sink.url);
    await addUser(env, "bob");
    const r = await api(env, "POST", "/api/v1/password-reset", { username: "bob" });
    assertEquals(r.status, 202);
    assertEquals(await deliverDue(env.deps), 0);
    assertEquals(await sink.mails(), []);
  } finally {
    await sink.remove();
  }
});

Deno.test("mail: a server that is down fails no login; the mail arrives once it is back", async () => {
  const port = freePort(); // nothing listens here yet
  const env = await mailApp(`smtp://127.0.0.1:${port}`);
  await userWithEmail(env);
  const login = await api(env, "POST", "/api/v1/login", { username: "alice", password: PASSWORD });
  assertEquals(login.status, 200);
  assertEquals(
    (await api(env, "POST", "/api/v1/password-reset", { username: "alice" })).status,
    202,
  );
  assertEquals(await deliverDue(env.deps), 0);
  const [waiting] = await env.deps.db.select().from(outbox);
  assertEquals(waiting.deliveredAt, null);
  assertMatch(waiting.lastError ?? "", /ECONNREFUSED|refused/i);

  const sink = await SmtpSink.start({ port });
  try {
    assertEquals(await deliverDue(env.deps), 0, "not before the backoff");
    env.clock.advance(31_000);
    assertEquals(await deliverDue(env.deps), 1);
    const mails = await sink.mails();
    assertEquals(mails.length, 1);
    assertEquals(mails[0].subject, "Example Co: reset your password");
    env.clock.advance(3_600_000);
    assertEquals(await deliverDue(env.deps), 0);
    assertEquals((await sink.mails()).length, 1);
  } finally {
    await sink.remove();
  }
});

Deno.test("mail: nothing is sent twice after a restart; a crash before the mark resends the same Message-ID", async () => {
  const sink = await SmtpSink.start();
  const dir = await Deno.makeTempDir({ prefix: "twofold-mail-db-" });
  const database = { DATABASE_URL: `file:${dir}/db.sqlite` };
  try {
    const first = await mailApp(sink.url, database);
    await userWithEmail(first);
    await api(first, "POST", "/api/v1/password-reset", { username: "alice" });
    await api(first, "POST", "/api/v1/password-reset", { username: "alice" });
    assertEquals(await deliverDue(first.deps), 2);

    // A new process over the same database: the delivered rows stay delivered.
    const second = await mailApp(sink.url, database);
    second.clock.advance(7 * 24 * 3_600_000);
    assertEquals(await deliverDue(second.deps), 0);
    assertEquals((await sink.mails()).length, 2);

    // A crash after the server took the mail but before the row was marked: the claim is left
    // behind; after the backoff the mail goes again, with the same Message-ID.
    await api(second, "POST", "/api/v1/password-reset", { username: "alice" });
    const mailer = second.deps.mailer!;
    second.deps.mailer = {
      send: async (m) => {
        await mailer.send(m);
        throw new Error("crashed before marking");
      },
      close: () => mailer.close(),
    };
    assertEquals(await deliverDue(second.deps), 0);
    second.deps.mailer = mailer;
    second.clock.advance(31_000);
    assertEquals(await deliverDue(second.deps), 1);
    const mails = await sink.mails();
    assertEquals(mails.length, 4);
    assertEquals(mails[2].message_id, mails[3].message_id);
    assert(mails[1].message_id !== mails[2].message_id);
  } finally {
    await sink.remove();
    await Deno.remove(dir, { recursive: true }).catch(() => {});
  }
});

Deno.test("mail: smtps:// and STARTTLS verify the server's certificate (SMTP_CA_FILE adds trust)", async () => {
  const dir = await Deno.makeTempDir({ prefix: "twofold-tls-" });
  const tls = await selfSignedCert(dir);
  for (const mode of ["smtps", "starttls"] as const) {
    const sink = await SmtpSink.start({ tls: { mode, ...tls }, auth: "mailer:s3cret pass" });
    try {
      const url = `${
        mode === "smtps" ? "smtps" : "smtp"
      }://mailer:s3cret%20pass@127.0.0.1:${sink.port}`;
      // Not trusted: the certificate is refused, nothing is sent.
      const untrusted = await mailApp(url);
      await userWithEmail(untrusted);
      await api(untrusted, "POST", "/api/v1/password-reset", { username: "alice" });
      assertEquals(await deliverDue(untrusted.deps), 0, mode);
      const [failed] = await untrusted.deps.db.select().from(outbox);
      assertMatch(failed.lastError ?? "", /certificate|self.signed/i);
      assertEquals(await sink.mails(), []);

      const trusted = await mailApp(url, { SMTP_CA_FILE: tls.cert });
      await userWithEmail(trusted);
      await api(trusted, "POST", "/api/v1/password-reset", { username: "alice" });
      const sent = await deliverDue(trusted.deps);
      const [row] = await trusted.deps.db.select().from(outbox);
      assertEquals(sent, 1, `${mode}: ${row.lastError}`);
      const [mail] = await sink.mails();
      assert(mail.tls, `${mode}: the mail did not travel over TLS`);
    } finally {
      await sink.remove();
    }
  }
  await Deno.remove(dir, { recursive: true });
});
