/**
 * Request bodies over MAX_BODY_BYTES are refused with 413 before they are read: at once by their
 * Content-Length, and by counting bytes when they come chunked. The JSON API answers with its
 * error shape, pages with a page; a body at the limit is served as usual, and the default
 * covers the largest legitimate body (a 2FA policy with every list full).
 */
import { parseConfig } from "../src/config.ts";
import { assert, assertEquals, assertStringIncludes } from "./assert.ts";
import {
  addUser,
  api,
  Browser,
  codeNow,
  enrollViaApi,
  nextStep,
  PASSWORD,
  testApp,
} from "./helpers.ts";

const DEFAULT_LIMIT = parseConfig({}).MAX_BODY_BYTES;

/** A body that records how many of its `chunks` chunks of `size` bytes were read. */
function countingBody(chunks: number, size = 16_384) {
  const state = { pulled: 0 };
  const chunk = new TextEncoder().encode(" ".repeat(size));
  const stream = new ReadableStream<Uint8Array>({
    pull(controller) {
      if (state.pulled === chunks) return controller.close();
      state.pulled++;
      controller.enqueue(chunk);
    },
  }, { highWaterMark: 0 }); // nothing is pulled before someone reads
  return { stream, state };
}

/** A login body padded with JSON whitespace to exactly `bytes` bytes. */
function paddedLogin(username: string, bytes: number): string {
  const json = JSON.stringify({ username, password: PASSWORD });
  return json + " ".repeat(bytes - new TextEncoder().encode(json).length);
}

Deno.test("body limit: the default is 128 KiB and the variable is bounded", () => {
  assertEquals(DEFAULT_LIMIT, 131_072);
  assertEquals(parseConfig({ MAX_BODY_BYTES: "20000" }).MAX_BODY_BYTES, 20_000);
  for (const bad of ["1000", "100000000", "lots", "1.5"]) {
    let message = "";
    try {
      parseConfig({ MAX_BODY_BYTES: bad });
    } catch (e) {
      message = (e as Error).message;
    }
    assertStringIncludes(message, "MAX_BODY_BYTES", bad);
  }
});

Deno.test("body limit: a JSON request announcing a huge Content-Length gets 413 unread", async () => {
  const env = await testApp();
  const { stream, state } = countingBody(6400); // 100 MiB if anyone read it
  const r = await env.app.request("/api/v1/login", {
    method: "POST",
    headers: { "content-type": "application/json", "content-length": "104857600" },
    body: stream,
  });
  assertEquals(r.status, 413);
  assertEquals(await r.json(), {
    error: { code: "payload_too_large", message: "What you sent is too large." },
  });
  assertEquals(state.pulled, 0, "not one byte of the body was read");
});

Deno.test("body limit: a chunked body is cut off as soon as it passes the limit", async () => {
  const env = await testApp();
  const { stream, state } = countingBody(128); // 2 MiB, no Content-Length
  const r = await env.app.request("/api/v1/login", {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: stream,
  });
  assertEquals(r.status, 413);
  assertEquals((await r.json()).error.code, "payload_too_large");
  // The limit is 8 chunks; the reader may have one more in flight, never the rest.
  assert(state.pulled <= DEFAULT_LIMIT / 16_384 + 2, `read ${state.pulled} of 128 chunks`);
});

Deno.test("body limit: a form post over the limit gets a 413 page in the page's language", async () => {
  const env = await testApp();
  await addUser(env);
  const b = new Browser(env);
  await b.get("/login?lang=fr");
  const r = await b.post("/login", {
    username: "alice",
    password: "x".repeat(DEFAULT_LIMIT),
  });
  assertEquals(r.status, 413);
  assert((r.headers.get("content-type") ?? "").startsWith("text/html"));
  assertStringIncludes(b.lastHtml, '<html lang="fr">');
  assertStringIncludes(b.lastHtml, "Ce que vous avez envoyé est trop volumineux.");
  // Refused before the CSRF check read the form: nothing was attempted for alice.
  const attempts = await env.deps.db.run(
    "SELECT 1 FROM audit_events WHERE username = 'alice' AND event LIKE 'login%'",
  );
  assertEquals(attempts.rows.length, 0);
});

Deno.test("body limit: a body of exactly the limit is served; one byte more is not", async () => {
  const env = await testApp();
  await addUser(env);
  for (const chunked of [false, true]) {
    const send = (body: string) => {
      const bytes = new TextEncoder().encode(body);
      return env.app.request("/api/v1/login", {
        method: "POST",
        headers: {
          "content-type": "application/json",
          ...(chunked ? {} : { "content-length": String(bytes.length) }),
        },
        body: chunked
          ? ReadableStream.from([bytes.subarray(0, 1000), bytes.subarray(1000)])
          : bytes,
      });
    };
    const atLimit = await send(paddedLogin("alice", DEFAULT_LIMIT));
    assertEquals(atLimit.status, 200, `chunked: ${chunked}`);
    assertEquals((await atLimit.json()).status, "enrollment_required");
    const over = await send(paddedLogin("alice", DEFAULT_LIMIT + 1));
    assertEquals(over.status, 413, `chunked: ${chunked}`);
    await over.body?.cancel();
  }
});

Deno.test("body limit: MAX_BODY_BYTES sets the limit", async () => {
  const small = await testApp({ MAX_BODY_BYTES: "20000" });
  const large = await testApp();
  for (const env of [small, large]) await addUser(env);
  const body = paddedLogin("alice", 30_000);
  assertEquals((await api(small, "POST", "/api/v1/login", body)).status, 413);
  assertEquals((await api(large, "POST", "/api/v1/login", body)).status, 200);
});

/**
 * A policy with every list at its maximum: 3 x 200 names of 64 characters (French ones, with an
 * accent: 6 bytes in a form), 2 x 200 IPv6 ranges.
 */
function fullPolicyLists() {
  const names = (prefix: string) =>
    Array.from({ length: 200 }, (_, i) => `comptabilité-${prefix}${i}-`.padEnd(64, "x"));
  const ranges = (prefix: string) =>
    Array.from(
      { length: 200 },
      (_, i) => `${prefix}:ffff:ffff:ffff:ffff:ffff:ffff:${i.toString(16).padStart(4, "0")}/128`,
    );
  return {
    requiredRoles: names("r"),
    requiredGroups: names("g"),
    exemptGroups: names("e"),
    networkRequire: ranges("fd00"),
    networkSkip: ranges("fd01"),
  };
}

Deno.test("body limit: the default takes the largest legitimate body, a full 2FA policy", async () => {
  const env = await testApp();
  await addUser(env, "root", ["admin"]);
  const admin = await enrollViaApi(env, "root");
  const lists = fullPolicyLists();
  const put = await api(env, "PUT", "/api/v1/admin/policy", {
    mode: "listed",
    ...lists,
  }, admin.sessionToken);
  assertEquals(put.status, 200, JSON.stringify(put.json).slice(0, 200));

  // The same policy as the admin page's form (a browser percent-encodes ':', '/' and every
  // byte of 'é'): over 64 KiB, which is why the default is 128 KiB.
  const b = new Browser(env);
  await b.get("/login");
  const form: Record<string, string> = {
    mode: "listed",
    adminsAlways: "on",
    graceDays: "0",
    recoveryCodesEnabled: "on",
    trustedDevicesEnabled: "on",
    trustedDeviceDays: "30",
    totpAlgorithm: "SHA1",
    totpDigits: "6",
    totpPeriod: "30",
    totpWindow: "1",
    alertThreshold: "3",
    alertWindowMinutes: "5",
    ...Object.fromEntries(Object.entries(lists).map(([k, v]) => [k, v.join("\n")])),
  };
  const size = new URLSearchParams({ ...form, csrf_token: "x".repeat(64) }).toString().length;
  // Sent as it is by the test browser below.
  assert(size > 65_536 && size < DEFAULT_LIMIT, `the full policy form is ${size} bytes`);
  nextStep(env);
  const login = await b.post("/login", { username: "root", password: PASSWORD });
  assertEquals(login.headers.get("location"), "/login/totp");
  await b.get("/login/totp");
  assertEquals((await b.post("/login/totp", { code: codeNow(env, admin.secret) })).status, 303);
  await b.get("/admin/policy");
  const preview = await b.post("/admin/policy", form);
  assertEquals(preview.status, 200);
  assertStringIncludes(b.lastHtml, 'id="save-policy"');
});

Deno.test("body limit: a real server answers 413 to a huge Content-Length without waiting for the body", async () => {
  const env = await testApp();
  const server = Deno.serve(
    { hostname: "127.0.0.1", port: 0, onListen: () => {} },
    env.app.fetch,
  );
  const conn = await Deno.connect({ hostname: "127.0.0.1", port: server.addr.port });
  try {
    const started = performance.now();
    await conn.write(new TextEncoder().encode(
      "POST /api/v1/login HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n" +
        "Content-Length: 104857600\r\n\r\n",
    ));
    const buffer = new Uint8Array(4096);
    const timeout = setTimeout(() => conn.close(), 5_000);
    const n = await conn.read(buffer).catch(() => null);
    clearTimeout(timeout);
    const head = new TextDecoder().decode(buffer.subarray(0, n ?? 0));
    assert(head.startsWith("HTTP/1.1 413"), `answered: ${JSON.stringify(head.slice(0, 40))}`);
    assert(performance.now() - started < 5_000);
  } finally {
    try {
      conn.close();
    } catch { /* closed by the timeout */ }
    await server.shutdown();
  }
});
