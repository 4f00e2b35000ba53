/**
 * "This was not me": the link in a security mail (received from a real SMTP server) shows what
 * will happen without doing it; confirming ends every session and trusted device, locks the
 * account, raises an alert and audits it; the link works once, also under parallel use, and
 * expires.
 */
import { and, eq } from "drizzle-orm";
import { alerts, auditEvents, noticeTokens, trustedDevices, users } from "../src/db/schema.ts";
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
  type TestEnv,
} from "./helpers.ts";
import { mailApp, userWithEmail } from "./mail/app.ts";
import { SmtpSink } from "./mail/smtp_server.ts";

const ORIGIN = "https://login.example.test";

/** Alice enrolled, with a second session holding a trusted device; the link of her last mail. */
async function reported(env: TestEnv, sink: SmtpSink) {
  const alice = await userWithEmail(env, "alice", "alice@example.test", "de");
  const e = await enrollViaApi(env);
  nextStep(env);
  const login = await api(env, "POST", "/api/v1/login", { username: "alice", password: PASSWORD });
  const other = await api(env, "POST", "/api/v1/login/totp", {
    pending_token: login.json.pending_token,
    code: codeNow(env, e.secret),
    trust_device: true,
  });
  assertEquals(other.status, 200, JSON.stringify(other.json));
  await deliverDue(env.deps);
  const mails = await sink.mails();
  const link = mails.at(-1)!.text!.match(
    /https:\/\/login\.example\.test(\/not-me\?token=[\w-]{43}&lang=[a-z]{2})\s/,
  )![1];
  return { alice, e, other: other.json.session_token as string, path: link };
}

Deno.test("not me: the page says what will happen and changes nothing; confirming locks the account", async () => {
  const sink = await SmtpSink.start();
  try {
    const env = await mailApp(sink.url);
    await addUser(env, "root", ["admin"]);
    const admin = await enrollViaApi(env, "root");
    const { alice, e, other, path } = await reported(env, sink);
    const browser = new Browser(env, ORIGIN);
    for (let i = 0; i < 2; i++) {
      const page = await browser.get(path);
      assertEquals(page.status, 200);
      assertStringIncludes(browser.lastHtml, "Mein Konto sperren");
    }
    assertEquals((await api(env, "GET", "/api/v1/session", undefined, other)).status, 200);

    const token = new URL(ORIGIN + path).searchParams.get("token")!;
    const done = await browser.post("/not-me", { token });
    assertEquals(done.status, 200);
    assertStringIncludes(browser.lastHtml, "Ihr Konto ist gesperrt");
    assertStringIncludes(browser.lastHtml, "Wie es weitergeht");

    for (const session of [e.sessionToken, other]) {
      assertEquals((await api(env, "GET", "/api/v1/session", undefined, session)).status, 401);
    }
    const devices = await env.deps.db.select().from(trustedDevices)
      .where(eq(trustedDevices.userId, alice.id));
    assert(devices.length > 0 && devices.every((d) => d.revokedAt !== null));
    const row = await env.deps.db.query.users.findFirst({ where: eq(users.id, alice.id) });
    assertEquals(row!.disabled, true);
    const login = await api(env, "POST", "/api/v1/login", {
      username: "alice",
      password: PASSWORD,
    });
    assertEquals(login.status, 401);
    const open = await api(env, "GET", "/api/v1/admin/alerts", undefined, admin.sessionToken);
    assertEquals(
      open.json.alerts.map((a: { kind: string; username: string }) => [a.kind, a.username]),
      [["account_reported", "alice"]],
    );
    const audited = await env.deps.db.select().from(auditEvents)
      .where(and(eq(auditEvents.event, "account.reported"), eq(auditEvents.userId, alice.id)));
    assertEquals(audited.length, 1);

    // Once only.
    const again = await browser.post("/not-me", { token });
    assertEquals(again.status, 400);
    assertEquals((await browser.get(path)).status, 400);
  } finally {
    await sink.remove();
  }
});

Deno.test("not me: of 10 parallel uses of one link exactly one acts", async () => {
  const sink = await SmtpSink.start();
  try {
    const env = await mailApp(sink.url);
    const { path } = await reported(env, sink);
    const token = new URL(ORIGIN + path).searchParams.get("token")!;
    const browser = new Browser(env, ORIGIN);
    await browser.get(path);
    const csrf = browser.csrf()!;
    const results = await Promise.all(
      Array.from({ length: 10 }, () => browser.post("/not-me", { token }, { csrf })),
    );
    assertEquals(results.map((r) => r.status).sort(), [200, ...Array(9).fill(400)]);
    assertEquals((await env.deps.db.select().from(alerts)).length, 1);
    const audited = await env.deps.db.select().from(auditEvents)
      .where(eq(auditEvents.event, "account.reported"));
    assertEquals(audited.length, 1);
  } finally {
    await sink.remove();
  }
});

Deno.test("not me: the link expires after NOTICE_LINK_DAYS; a made-up one is refused", async () => {
  const sink = await SmtpSink.start();
  try {
    const env = await mailApp(sink.url, { NOTICE_LINK_DAYS: "2" });
    const { alice, path } = await reported(env, sink);
    const browser = new Browser(env, ORIGIN);
    assertEquals((await browser.get("/not-me?token=" + "A".repeat(43))).status, 400);
    assertEquals((await browser.get("/not-me")).status, 400);
    env.clock.advance(2 * 24 * 3_600_000 + 1);
    assertEquals((await browser.get(path)).status, 400);
    const token = new URL(ORIGIN + path).searchParams.get("token")!;
    await browser.get("/password/forgot"); // a page with a form, for a CSRF token
    assertEquals((await browser.post("/not-me", { token })).status, 400);
    const row = await env.deps.db.query.users.findFirst({ where: eq(users.id, alice.id) });
    assertEquals(row!.disabled, false);
    const stored = await env.deps.db.select().from(noticeTokens);
    assert(stored.every((s) => s.usedAt === null));
  } finally {
    await sink.remove();
  }
});
