/**
 * A body that does not arrive whole within BODY_TIMEOUT_SECONDS of being read is answered 408
 * (JSON for the API, a page for pages) and goes no further, even if the rest comes later; a slow
 * but timely body is served as usual; a body nobody reads is never waited for. Through the app
 * and through the real server over a raw TCP connection.
 */
import { eq } from "drizzle-orm";
import { auditEvents } from "../src/db/schema.ts";
import type { Logger } from "../src/lib/log.ts";
import { assert, assertEquals, assertStringIncludes } from "./assert.ts";
import { addUser, api, PASSWORD, testApp, type TestEnv } from "./helpers.ts";
import { startServer, stopServer } from "./server_process.ts";

const encoder = new TextEncoder();

/** A body that sends `first`, then nothing until `release()` sends `rest` and ends it. */
function stalledBody(first: string, rest: string) {
  let release = () => {};
  const stream = new ReadableStream<Uint8Array>({
    start(controller) {
      controller.enqueue(encoder.encode(first));
      release = () => {
        try {
          controller.enqueue(encoder.encode(rest));
          controller.close();
        } catch { /* already cancelled */ }
      };
    },
  });
  return { stream, release: () => release() };
}

function captureLog(env: TestEnv): Record<string, unknown>[] {
  const lines: Record<string, unknown>[] = [];
  const log: Logger = (level, msg, fields) => lines.push({ level, msg, ...fields });
  (env.deps as { log: Logger }).log = log;
  return lines;
}

const loginJson = JSON.stringify({ username: "alice", password: PASSWORD });

for (const declared of [true, false]) {
  const how = declared ? "with a Content-Length" : "chunked";
  Deno.test(`body timeout: a stalled JSON body ${how} is answered 408 and the login never runs`, async () => {
    const env = await testApp({ BODY_TIMEOUT_SECONDS: "1" });
    await addUser(env);
    const logs = captureLog(env);
    const half = Math.floor(loginJson.length / 2);
    const body = stalledBody(loginJson.slice(0, half), loginJson.slice(half));
    const started = performance.now();
    const res = await env.app.request("/api/v1/login", {
      method: "POST",
      headers: {
        "content-type": "application/json",
        ...(declared ? { "content-length": String(encoder.encode(loginJson).length) } : {}),
      },
      body: body.stream,
    });
    const waited = performance.now() - started;
    assertEquals(res.status, 408);
    assertEquals((await res.json()).error.code, "request_timeout");
    assertEquals(res.headers.get("connection"), "close");
    assert(waited >= 900 && waited < 5000, `answered after ${waited} ms`);
    // The rest arriving now changes nothing: no login happened, none is audited.
    body.release();
    await new Promise((r) => setTimeout(r, 50));
    const audit = await env.deps.db.select().from(auditEvents)
      .where(eq(auditEvents.event, "login.password"));
    assertEquals(audit.length, 0);
    const line = logs.find((l) => l.msg === "request.body_timeout");
    assert(line, JSON.stringify(logs));
    assertEquals([line.level, line.path, line.seconds], ["warn", "/api/v1/login", 1]);
  });
}

Deno.test("body timeout: a stalled form is answered with a 408 page", async () => {
  const env = await testApp({ BODY_TIMEOUT_SECONDS: "1" });
  const body = stalledBody("username=alice&pass", "word=x");
  const res = await env.app.request("/login", {
    method: "POST",
    headers: { "content-type": "application/x-www-form-urlencoded", "accept-language": "fr" },
    body: body.stream,
  });
  assertEquals(res.status, 408);
  assertStringIncludes(res.headers.get("content-type") ?? "", "text/html");
  assertStringIncludes(await res.text(), "a mis trop de temps à arriver");
  body.release();
});

Deno.test("body timeout: a slow body that ends in time is served; one nobody reads is not waited for", async () => {
  const env = await testApp({ BODY_TIMEOUT_SECONDS: "1" });
  await addUser(env);
  // Four pieces 150 ms apart: 600 ms in all, under the second.
  const pieces = loginJson.match(/.{1,12}/gs)!.slice(0, 4);
  pieces[3] += loginJson.slice(pieces.join("").length);
  let i = 0;
  const slow = new ReadableStream<Uint8Array>({
    async pull(controller) {
      if (i === pieces.length) return controller.close();
      await new Promise((r) => setTimeout(r, 150));
      controller.enqueue(encoder.encode(pieces[i++]));
    },
  }, { highWaterMark: 0 });
  const ok = await env.app.request("/api/v1/login", {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: slow,
  });
  assertEquals(ok.status, 200);
  assertEquals((await ok.json()).status, "enrollment_required");

  // An anonymous call to a route that needs credentials never reads its body: 401 at once.
  const never = stalledBody("{", "}");
  const started = performance.now();
  const anonymous = await env.app.request("/api/v1/me/password", {
    method: "POST",
    headers: { "content-type": "application/json", "content-length": "2" },
    body: never.stream,
  });
  assertEquals(anonymous.status, 401);
  assert(performance.now() - started < 900, "not waited for");
  never.release();
  // And a usual request right after is untouched.
  const again = await api(env, "POST", "/api/v1/login", { username: "alice", password: PASSWORD });
  assertEquals(again.status, 200);
});

Deno.test("body timeout: the real server answers a client that stops mid-body with 408", async () => {
  const dir = await Deno.makeTempDir();
  const server = await startServer(dir, { env: { BODY_TIMEOUT_SECONDS: "1" } });
  try {
    const port = Number(new URL(server.origin).port);
    const conn = await Deno.connect({ hostname: "127.0.0.1", port });
    const started = performance.now();
    await conn.write(encoder.encode(
      "POST /api/v1/login HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n" +
        `Content-Length: ${loginJson.length}\r\n\r\n${loginJson.slice(0, 10)}`,
    ));
    const buf = new Uint8Array(4096);
    let text = "";
    while (!text.includes("request_timeout")) {
      const n = await conn.read(buf);
      if (n === null) break;
      text += new TextDecoder().decode(buf.subarray(0, n));
    }
    const waited = performance.now() - started;
    conn.close();
    assert(text.startsWith("HTTP/1.1 408 "), text);
    assertStringIncludes(text.toLowerCase(), "connection: close");
    assertStringIncludes(text, '"request_timeout"');
    assert(waited >= 900 && waited < 5000, `answered after ${waited} ms`);
    // The server still serves everyone else.
    const health = await fetch(`${server.origin}/healthz`);
    assertEquals(health.status, 200);
    await health.body?.cancel();
  } finally {
    await stopServer(server);
    await Deno.remove(dir, { recursive: true });
  }
});
