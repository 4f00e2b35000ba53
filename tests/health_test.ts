/** Health for orchestrators: liveness without the database, readiness with it. */
import { assertEquals } from "./assert.ts";
import { testApp } from "./helpers.ts";

Deno.test("health: /livez and /readyz answer 200 while the database works", async () => {
  const env = await testApp();
  for (const path of ["/livez", "/readyz", "/healthz"]) {
    const res = await env.app.request(`http://localhost${path}`);
    assertEquals(res.status, 200, path);
    assertEquals(await res.json(), { status: "ok" });
    assertEquals(res.headers.get("cache-control"), "no-store");
  }
});

Deno.test("health: without a database, /readyz says 503 and /livez still 200", async () => {
  const env = await testApp();
  // The database stops answering (what a lost Turso connection or a locked file looks like).
  Object.assign(env.deps.db, {
    run: () => Promise.reject(new Error("SQLITE_BUSY: database is locked")),
  });
  const ready = await env.app.request("http://localhost/readyz");
  assertEquals(ready.status, 503);
  assertEquals(await ready.json(), { status: "unavailable" });
  assertEquals(ready.headers.get("retry-after"), "5");
  const live = await env.app.request("http://localhost/livez");
  assertEquals(live.status, 200);
});
