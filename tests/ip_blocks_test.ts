/** Blocked addresses: seen and lifted by admins, repeat blocks grow (fixed clock), all audited. */
import { eq } from "drizzle-orm";
import { auditEvents } from "../src/db/schema.ts";
import { ipBlocks } from "../src/protection/blocks.ts";
import { assertEquals, assertStringIncludes } from "./assert.ts";
import {
  addUser,
  api,
  Browser,
  codeNow,
  enrollViaApi,
  nextStep,
  PASSWORD,
  testApp,
  type TestEnv,
} from "./helpers.ts";

const MINUTE = 60_000;

async function setup() {
  const env = await testApp({
    CLIENT_IP_HEADER: "x-real-ip",
    IP_MAX_FAILURES: "3",
    IP_FAILURE_WINDOW_MINUTES: "15",
    IP_BLOCK_MINUTES: "10",
    IP_BLOCK_MAX_MINUTES: "25",
    IP_BLOCK_REPEAT_HOURS: "24",
  });
  await addUser(env, "root", ["admin"]);
  const admin = await enrollViaApi(env, "root");
  return { env, admin, token: admin.sessionToken };
}

const from = (ip: string) => ({ "x-real-ip": ip });

/** `n` failed logins from `ip` as `username`; the statuses. */
async function fail(env: TestEnv, ip: string, n: number, username = "mallory") {
  const out: number[] = [];
  for (let i = 0; i < n; i++) {
    const r = await api(
      env,
      "POST",
      "/api/v1/login",
      {
        username,
        password: "wrong guess",
      },
      undefined,
      from(ip),
    );
    out.push(r.status);
  }
  return out;
}

async function blocks(env: TestEnv, token: string) {
  const r = await api(env, "GET", "/api/v1/admin/ip-blocks", undefined, token);
  assertEquals(r.status, 200);
  return r.json.blocks;
}

Deno.test("IP blocks: listed with since, until, failures and the last username tried", async () => {
  const { env, token } = await setup();
  assertEquals(await fail(env, "198.51.100.7", 3), [401, 401, 401]);
  assertEquals(await fail(env, "198.51.100.7", 1), [429]);
  const t0 = env.clock.now().getTime();
  assertEquals(await blocks(env, token), [{
    address: "198.51.100.7",
    since: new Date(t0).toISOString(),
    until: new Date(t0 + 10 * MINUTE).toISOString(),
    failures: 3,
    last_username: "mallory",
    blocks: 1,
  }]);
  const audits = await env.deps.db.select().from(auditEvents)
    .where(eq(auditEvents.event, "client.blocked"));
  assertEquals(audits.length, 1);
  assertEquals(JSON.parse(audits[0].detail).minutes, 10);
  assertEquals(audits[0].username, "mallory");
});

Deno.test("IP blocks: a repeat offender's block doubles up to the maximum, and is forgotten later", async () => {
  const { env } = await setup();
  const lengths: number[] = [];
  for (let i = 0; i < 4; i++) {
    await fail(env, "198.51.100.8", 3);
    // Straight from the service: the admin's session would idle out over these hours.
    const [b] = (await ipBlocks(env.deps)).map((x) => ({
      since: x.since!,
      until: x.until,
      blocks: x.blocks,
    }));
    lengths.push((b.until - b.since) / MINUTE);
    env.clock.advance(b.until - env.clock.now().getTime() + MINUTE);
  }
  assertEquals(lengths, [10, 20, 25, 25]);
  // A day without a block: the next one is a first offence again.
  env.clock.advance(25 * 60 * MINUTE);
  await fail(env, "198.51.100.8", 3);
  const [b] = await ipBlocks(env.deps);
  assertEquals(b.blocks, 1);
  assertEquals((b.until - b.since!) / MINUTE, 10);
});

Deno.test("IP blocks: an admin lifts a block (audited); the address may try again at once", async () => {
  const { env, token } = await setup();
  await fail(env, "198.51.100.9", 3);
  assertEquals(await fail(env, "198.51.100.9", 1), [429]);
  const r = await api(env, "POST", "/api/v1/admin/ip-blocks/lift", {
    address: "198.51.100.9",
  }, token);
  assertEquals(r.status, 204);
  assertEquals(await blocks(env, token), []);
  assertEquals(await fail(env, "198.51.100.9", 1), [401]);
  const again = await api(env, "POST", "/api/v1/admin/ip-blocks/lift", {
    address: "198.51.100.9",
  }, token);
  assertEquals(again.status, 404);
  const audits = await env.deps.db.select().from(auditEvents)
    .where(eq(auditEvents.event, "admin.ip_unblock"));
  assertEquals(audits.length, 1);
  assertEquals(JSON.parse(audits[0].detail).key, "198.51.100.9");
  assertEquals(JSON.parse(audits[0].detail).admin, "root");
  // Lifting forgives past blocks: the next block is a first one.
  await fail(env, "198.51.100.9", 3);
  assertEquals((await blocks(env, token))[0].blocks, 1);
});

Deno.test("IP blocks: IPv6 blocks hold per /64 and lift by any address inside it", async () => {
  const { env, token } = await setup();
  await fail(env, "2001:db8:1:2::1", 2);
  await fail(env, "2001:db8:1:2::ffff", 1);
  const [b] = await blocks(env, token);
  assertEquals(b.address, "2001:0db8:0001:0002::/64");
  assertEquals(await fail(env, "2001:db8:1:2:aaaa::5", 1), [429]);
  const bad = await api(env, "POST", "/api/v1/admin/ip-blocks/lift", { address: "" }, token);
  assertEquals(bad.status, 400);
  const r = await api(env, "POST", "/api/v1/admin/ip-blocks/lift", {
    address: "2001:db8:1:2::42",
  }, token);
  assertEquals(r.status, 204);
  assertEquals(await blocks(env, token), []);
});

Deno.test("IP blocks: users and nobody are refused", async () => {
  const { env } = await setup();
  await addUser(env, "alice");
  const alice = await enrollViaApi(env, "alice");
  await fail(env, "198.51.100.10", 3);
  for (const t of [undefined, alice.sessionToken]) {
    const list = await api(env, "GET", "/api/v1/admin/ip-blocks", undefined, t);
    assertEquals(list.status, t ? 403 : 401);
    const lift = await api(env, "POST", "/api/v1/admin/ip-blocks/lift", {
      address: "198.51.100.10",
    }, t);
    assertEquals(lift.status, t ? 403 : 401);
  }
  assertEquals(await fail(env, "198.51.100.10", 1), [429]);
});

Deno.test("IP blocks page: lists the block and lifts it", async () => {
  const { env, admin } = await setup();
  await fail(env, "198.51.100.11", 3, "eve");
  const b = new Browser(env);
  await b.get("/login");
  await b.post("/login", { username: "root", password: PASSWORD });
  nextStep(env);
  await b.get("/login/totp");
  await b.post("/login/totp", { code: codeNow(env, admin.secret) });
  let r = await b.get("/admin/ip-blocks");
  assertEquals(r.status, 200);
  assertStringIncludes(b.lastHtml, "198.51.100.11");
  assertStringIncludes(b.lastHtml, "eve");
  assertStringIncludes(b.lastHtml, "1 address is blocked.");
  r = await b.post("/admin/ip-blocks/lift", { address: "198.51.100.11" });
  assertEquals(r.status, 303);
  assertEquals(r.headers.get("location"), "/admin/ip-blocks?notice=lifted");
  await b.get("/admin/ip-blocks?notice=lifted");
  assertStringIncludes(b.lastHtml, "The block is lifted.");
  assertStringIncludes(b.lastHtml, "No address is blocked.");
  r = await b.post("/admin/ip-blocks/lift", { address: "198.51.100.11" });
  assertEquals(r.status, 404);
});

Deno.test("IP blocks: two lifts at once lift it once and audit it once", async () => {
  const { env, token } = await setup();
  await fail(env, "198.51.100.12", 3);
  const lift = () =>
    api(env, "POST", "/api/v1/admin/ip-blocks/lift", { address: "198.51.100.12" }, token);
  const statuses = (await Promise.all([lift(), lift(), lift()])).map((r) => r.status).sort();
  assertEquals(statuses, [204, 404, 404]);
  const audits = await env.deps.db.select().from(auditEvents)
    .where(eq(auditEvents.event, "admin.ip_unblock"));
  assertEquals(audits.length, 1);
});
