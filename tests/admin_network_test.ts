/** The admin console restricted by network (optional): elsewhere 403, whatever the session. */
import { ConfigError, parseConfig as parse } from "../src/config.ts";
import { assert, assertEquals, assertStringIncludes } from "./assert.ts";
import { addUser, api, enrollViaApi, testApp } from "./helpers.ts";

const from = (ip: string) => ({ "x-real-ip": ip });

async function setup(networks: string) {
  const env = await testApp({ CLIENT_IP_HEADER: "x-real-ip", ADMIN_ALLOWED_NETWORKS: networks });
  await addUser(env, "root", ["admin"]);
  // Signed in from inside: the session itself is good.
  const admin = await enrollViaApi(env, "root");
  return { env, token: admin.sessionToken };
}

Deno.test("admin network: the admin API answers only from the listed ranges", async () => {
  const { env, token } = await setup("10.0.0.0/8, 2001:db8::/32");
  const inside = await api(env, "GET", "/api/v1/admin/users", undefined, token, from("10.1.2.3"));
  assertEquals(inside.status, 200);
  const v6 = await api(env, "GET", "/api/v1/admin/sessions", undefined, token, from("2001:db8::5"));
  assertEquals(v6.status, 200);
  for (
    const [t, ip] of [[token, "198.51.100.1"], [undefined, "198.51.100.1"], [token, "2001:db9::1"]]
  ) {
    const r = await api(env, "GET", "/api/v1/admin/users", undefined, t, from(ip!));
    assertEquals(r.status, 403, `${t ? "admin" : "nobody"} from ${ip}`);
    assertEquals(r.json.error.code, "forbidden");
  }
  // Before the body is looked at, too.
  const bad = await api(
    env,
    "POST",
    "/api/v1/admin/users",
    { nonsense: 1 },
    token,
    from("198.51.100.1"),
  );
  assertEquals(bad.status, 403);
  // Everything else still answers from anywhere.
  assertEquals(
    (await api(env, "GET", "/api/v1/session", undefined, token, from("198.51.100.1"))).status,
    200,
  );
});

Deno.test("admin network: the console pages are 403 outside, even to a signed-in admin or nobody", async () => {
  const { env, token } = await setup("10.0.0.0/8");
  const page = (path: string, ip: string, cookie = true) =>
    env.app.request(`http://localhost${path}`, {
      headers: { ...(cookie ? { cookie: `twofold_session=${token}` } : {}), "x-real-ip": ip },
    });
  assertEquals((await page("/admin", "10.9.9.9")).status, 200);
  for (const path of ["/admin", "/admin/users", "/admin/sessions", "/admin/ip-blocks"]) {
    const r = await page(path, "198.51.100.1");
    assertEquals(r.status, 403, path);
    assertStringIncludes(await r.text(), "Admins only");
    assertEquals(
      (await page(path, "198.51.100.1", false)).status,
      403,
      `${path} without a session`,
    );
  }
  assertEquals((await page("/account", "198.51.100.1")).status, 200);
});

Deno.test("admin network: off by default; a bad range stops the start", () => {
  assertEquals(parse({}).ADMIN_ALLOWED_NETWORKS, []);
  assertEquals(
    parse({ ADMIN_ALLOWED_NETWORKS: " 10.0.0.0/8 ,192.0.2.0/24" }).ADMIN_ALLOWED_NETWORKS,
    [
      "10.0.0.0/8",
      "192.0.2.0/24",
    ],
  );
  let error: unknown;
  try {
    parse({ ADMIN_ALLOWED_NETWORKS: "10.0.0.0/8, office" });
  } catch (e) {
    error = e;
  }
  assert(error instanceof ConfigError);
  assertStringIncludes(error.message, '"office" is not a CIDR range');
});
