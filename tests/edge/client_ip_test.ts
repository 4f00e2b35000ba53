/**
 * Where the client address comes from (rate limits and the audit log depend on it): on Workers
 * `CF-Connecting-IP`, which Cloudflare sets, only when the request carries the platform's `cf`
 * object; anywhere else the header is client input and is ignored. A configured
 * CLIENT_IP_HEADER still wins.
 */
import { Hono } from "hono";
import { parseConfig } from "../../src/config.ts";
import { clientIp } from "../../src/http/client.ts";
import { assertEquals } from "../assert.ts";

function probe(env: Record<string, string> = {}) {
  const config = parseConfig({ DATABASE_URL: ":memory:", ...env });
  const app = new Hono();
  app.get("/", (c) => c.text(String(clientIp(c, config))));
  return app;
}

function request(headers: Record<string, string>, cf?: object): Request {
  const req = new Request("https://login.example/", { headers });
  // What the Workers runtime attaches to every incoming request.
  if (cf) Object.defineProperty(req, "cf", { value: cf });
  return req;
}

Deno.test("client ip: on Workers (request.cf present) CF-Connecting-IP is the client", async () => {
  const r = await probe().fetch(request({ "cf-connecting-ip": "203.0.113.7" }, { colo: "AMS" }));
  assertEquals(await r.text(), "203.0.113.7");
});

Deno.test("client ip: without request.cf a CF-Connecting-IP header is ignored", async () => {
  const r = await probe().fetch(request({ "cf-connecting-ip": "203.0.113.7" }), {
    remoteAddr: { hostname: "192.0.2.1" },
  });
  assertEquals(await r.text(), "192.0.2.1");
  const none = await probe().fetch(request({ "cf-connecting-ip": "203.0.113.7" }));
  assertEquals(await none.text(), "null");
});

Deno.test("client ip: a configured CLIENT_IP_HEADER wins over the platform", async () => {
  const r = await probe({ CLIENT_IP_HEADER: "X-Real-IP" }).fetch(
    request({ "x-real-ip": "198.51.100.9", "cf-connecting-ip": "203.0.113.7" }, { colo: "AMS" }),
  );
  assertEquals(await r.text(), "198.51.100.9");
});
