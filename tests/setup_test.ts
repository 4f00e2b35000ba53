/**
 * First run (src/setup/): the setup link works only with its token, only while no admin exists,
 * only before it expires, and once; the start prints it while no admin exists.
 */
import { createApp } from "../src/app.ts";
import { newSetupToken } from "../src/setup/service.ts";
import { MINUTE } from "../src/lib/clock.ts";
import { startServer, stopServer } from "./server_process.ts";
import { assert, assertEquals, assertMatch, assertStringIncludes } from "./assert.ts";
import { addUser, Browser, PASSWORD, testApp } from "./helpers.ts";

const TOKEN = "a-setup-token-of-the-operator-0123456789";

async function admins(env: Awaited<ReturnType<typeof testApp>>) {
  return await env.deps.db.all<{ username: string }>(
    "SELECT username FROM users WHERE roles LIKE '%\"admin\"%'",
  );
}

Deno.test("setup: no token configured, a wrong token, or an admin already there: refused", async () => {
  const bare = await testApp();
  assertEquals((await new Browser(bare).get(`/setup?token=${TOKEN}`)).status, 404);

  const env = await testApp({ SETUP_TOKEN: TOKEN });
  const b = new Browser(env);
  assertEquals((await b.get("/setup?token=wrong")).status, 404);
  assertEquals((await b.get("/setup")).status, 404);
  assertEquals((await b.get(`/setup?token=${TOKEN}`)).status, 200);
  // A user who is no admin changes nothing; an admin closes setup for good.
  await addUser(env, "carol");
  assertEquals((await b.get(`/setup?token=${TOKEN}`)).status, 200);
  await addUser(env, "boss", ["admin"]);
  const res = await b.get(`/setup?token=${TOKEN}`);
  assertEquals(res.status, 410);
  assertStringIncludes(b.lastHtml, "An admin exists, so this setup link no longer works.");
});

Deno.test("setup: the form creates the first admin and hands over to enrollment", async () => {
  const env = await testApp({ SETUP_TOKEN: TOKEN });
  const b = new Browser(env);
  await b.get(`/setup?token=${TOKEN}`);
  // A weak password is refused with the form again.
  const weak = await b.post("/setup", { token: TOKEN, username: "root", password: "short" });
  assertEquals(weak.status, 400);
  assertStringIncludes(b.lastHtml, 'aria-invalid="true"');
  assertEquals((await admins(env)).length, 0);
  // A forged token on the form is refused.
  const forged = await b.post("/setup", {
    token: "x".repeat(40),
    username: "root",
    password: PASSWORD,
  });
  assertEquals(forged.status, 404);

  const ok = await b.post("/setup", { token: TOKEN, username: "root", password: PASSWORD });
  assertEquals(ok.status, 303);
  assertEquals(ok.headers.get("location"), "/enroll");
  assert([...b.cookies.keys()].some((k) => k.includes("pending")), "no pending login cookie");
  assertEquals((await admins(env)).map((a) => a.username), ["root"]);
  const enroll = await b.get("/enroll");
  assertEquals(enroll.status, 200);
  assertMatch(b.lastHtml, /data-secret="[A-Z2-7]{32}"/);
  const [event] = await env.deps.db.all<{ outcome: string }>(
    "SELECT outcome FROM audit_events WHERE event = 'setup.first_admin'",
  );
  assertEquals(event.outcome, "success");

  // Used once: the same link (and form) now refuse.
  const again = await new Browser(env).post("/setup", {
    token: TOKEN,
    username: "mallory",
    password: PASSWORD,
  }, { csrf: b.csrf() });
  assert(again.status === 410 || again.status === 403, `status ${again.status}`);
  assertEquals((await admins(env)).length, 1);
});

Deno.test("setup: two forms sent at once make one admin", async () => {
  const env = await testApp({ SETUP_TOKEN: TOKEN });
  const browsers = Array.from({ length: 6 }, () => new Browser(env));
  for (const b of browsers) await b.get(`/setup?token=${TOKEN}`);
  const results = await Promise.all(
    browsers.map((b, i) =>
      b.post("/setup", { token: TOKEN, username: `admin${i}`, password: PASSWORD })
    ),
  );
  assertEquals(results.filter((r) => r.status === 303).length, 1);
  assertEquals(results.filter((r) => r.status === 410).length, 5);
  assertEquals((await admins(env)).length, 1);
});

Deno.test("setup: a generated link expires", async () => {
  const env = await testApp();
  env.deps.setup = newSetupToken(env.clock.now(), 60);
  const app = createApp(env.deps);
  const url = `http://localhost/setup?token=${env.deps.setup.token}`;
  assertEquals((await app.request(url)).status, 200);
  env.clock.set(env.clock.now().getTime() + 61 * MINUTE);
  assertEquals((await app.request(url)).status, 404);
});

Deno.test("setup: the start prints a setup link while no admin exists, and it works", async () => {
  const dir = await Deno.makeTempDir();
  // LOG_LEVEL at its default: the structured lines must not carry the link either.
  const server = await startServer(dir, { env: { LOG_LEVEL: "info" }, stderr: "piped" });
  const reader = server.child.stderr.pipeThrough(new TextDecoderStream()).getReader();
  try {
    let text = "";
    let link: string | undefined;
    while (!link) {
      const { value, done } = await reader.read();
      if (done) break;
      text += value;
      link = text.match(/http:\/\/\S+\/setup\?token=[\w-]+/)?.[0];
    }
    assert(link, `no setup link in: ${text}`);
    assertStringIncludes(text, "No admin yet");
    // Not in the structured (JSON) log lines.
    for (const line of text.split("\n").filter((l) => l.startsWith("{"))) {
      assert(!line.includes("token="), line);
    }
    const page = await fetch(link);
    assertEquals(page.status, 200);
    assertStringIncludes(await page.text(), "Set up twofold");
  } finally {
    await reader.cancel().catch(() => {});
    await stopServer(server);
    await Deno.remove(dir, { recursive: true });
  }
});
