/**
 * The new-device mail, against a real SMTP server: a sign-in from a browser not seen before for
 * the user (or, over the JSON API, from an address not seen before) mails the user once, in the
 * language of that sign-in's pages; a known browser or address mails nothing; the first recorded
 * sign-in mails nothing. The page language of a sign-in becomes the user's mail language.
 */
import { eq } from "drizzle-orm";
import { users } from "../src/db/schema.ts";
import { deliverDue } from "../src/outbox/outbox.ts";
import { assertEquals, assertStringIncludes } from "./assert.ts";
import {
  api,
  Browser,
  codeNow,
  enrollViaApi,
  nextStep,
  PASSWORD,
  type TestEnv,
} from "./helpers.ts";
import { mailApp, userWithEmail } from "./mail/app.ts";
import { type ReceivedMail, SmtpSink } from "./mail/smtp_server.ts";

const ORIGIN = "https://login.example.test";

async function newMails(
  env: TestEnv,
  sink: SmtpSink,
  seen: { n: number },
): Promise<ReceivedMail[]> {
  await deliverDue(env.deps);
  const all = await sink.mails();
  const fresh = all.slice(seen.n);
  seen.n = all.length;
  return fresh;
}

/** Signs alice in through the pages of `browser`, in `lang`, with a fresh code. */
async function pageSignIn(env: TestEnv, browser: Browser, secret: string, lang: string) {
  nextStep(env);
  await browser.get(`/login?lang=${lang}`);
  const login = await browser.post("/login", { username: "alice", password: PASSWORD });
  assertEquals(login.headers.get("location"), "/login/totp");
  await browser.get("/login/totp");
  const done = await browser.post("/login/totp", { code: codeNow(env, secret) });
  assertEquals(done.status, 303);
}

Deno.test("new sign-in: a new browser mails once, in the sign-in's language; a known one does not", async () => {
  const sink = await SmtpSink.start();
  try {
    const env = await mailApp(sink.url, { CLIENT_IP_HEADER: "x-test-ip" });
    const alice = await userWithEmail(env);
    const e = await enrollViaApi(env);
    const seen = { n: 0 };
    assertEquals((await newMails(env, sink, seen)).map((m) => m.subject), [
      "Example Co: an authenticator was added",
    ]);

    // The first recorded sign-in: nothing to compare with, so no mail; the language is kept.
    const laptop = new Browser(env, ORIGIN);
    await pageSignIn(env, laptop, e.secret, "fr");
    assertEquals(await newMails(env, sink, seen), []);
    const stored = await env.deps.db.query.users.findFirst({ where: eq(users.id, alice.id) });
    assertEquals(stored!.locale, "fr");
    const cookie = [...laptop.cookies.keys()].find((k) => k.endsWith("twofold_browser"));
    assertEquals(cookie, "__Host-twofold_browser");

    await pageSignIn(env, laptop, e.secret, "fr");
    assertEquals(await newMails(env, sink, seen), [], "a known browser");

    const phone = new Browser(env, ORIGIN, "Mozilla/5.0 (Linux; Android 15) Firefox/140.0");
    await pageSignIn(env, phone, e.secret, "de");
    const [mail, ...more] = await newMails(env, sink, seen);
    assertEquals(more, []);
    assertEquals(mail.subject, "Example Co: Anmeldung von einem neuen Gerät");
    assertStringIncludes(mail.text!, "Firefox on Android");
    assertStringIncludes(mail.text!, "/not-me?token=");

    await pageSignIn(env, phone, e.secret, "de");
    assertEquals(await newMails(env, sink, seen), []);
  } finally {
    await sink.remove();
  }
});

Deno.test("new sign-in: over the JSON API a new address mails once; a known address does not", async () => {
  const sink = await SmtpSink.start();
  try {
    const env = await mailApp(sink.url, { CLIENT_IP_HEADER: "x-test-ip" });
    await userWithEmail(env, "alice", "alice@example.test", "fr");
    const e = await enrollViaApi(env);
    const seen = { n: 0 };
    await newMails(env, sink, seen);
    const signIn = async (ip: string) => {
      nextStep(env);
      const headers = { "x-test-ip": ip };
      const login = await api(
        env,
        "POST",
        "/api/v1/login",
        {
          username: "alice",
          password: PASSWORD,
        },
        undefined,
        headers,
      );
      const done = await api(
        env,
        "POST",
        "/api/v1/login/totp",
        {
          pending_token: login.json.pending_token,
          code: codeNow(env, e.secret),
        },
        undefined,
        headers,
      );
      assertEquals(done.status, 200, JSON.stringify(done.json));
    };
    await signIn("198.51.100.7");
    assertEquals(await newMails(env, sink, seen), [], "the first recorded sign-in");
    await signIn("198.51.100.7");
    assertEquals(await newMails(env, sink, seen), []);
    await signIn("203.0.113.99");
    const mails = await newMails(env, sink, seen);
    assertEquals(mails.map((m) => m.subject), ["Example Co : connexion depuis un nouvel appareil"]);
    assertStringIncludes(mails[0].text!, "Adresse: 203.0.113.99");
    await signIn("203.0.113.99");
    assertEquals(await newMails(env, sink, seen), []);
  } finally {
    await sink.remove();
  }
});
