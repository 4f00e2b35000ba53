/**
 * `deno task worker:dev` (tools/worker_dev.sh): from an empty state, the Worker on workerd with
 * a migrated local D1, generated keys and the first-run page, reached by the printed link.
 */
import { assert, assertEquals, assertStringIncludes } from "./assert.ts";

const root = new URL("..", import.meta.url).pathname;

function freePort(): number {
  const l = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = (l.addr as Deno.NetAddr).port;
  l.close();
  return port;
}

Deno.test({
  name: "worker:dev: a migrated D1, keys and a setup link that creates the first admin on D1",
  sanitizeResources: false,
  sanitizeOps: false,
  fn: async () => {
    const state = await Deno.makeTempDir();
    const port = freePort();
    const child = new Deno.Command("setsid", {
      args: ["bash", `${root}tools/worker_dev.sh`, "--inspector-port", String(freePort())],
      cwd: root,
      env: { WORKER_DEV_STATE: state, PORT: String(port), NO_COLOR: "1" },
      stdin: "null",
      stdout: "null",
      stderr: "piped",
    }).spawn();
    let log = "";
    const reader = child.stderr.pipeThrough(new TextDecoderStream()).getReader();
    const reading = (async () => {
      for (;;) {
        const { value, done } = await reader.read();
        if (done) return;
        log += value;
      }
    })();
    try {
      let link: string | undefined;
      for (let i = 0; i < 600 && !link; i++) {
        link = log.match(/http:\/\/127\.0\.0\.1:\d+\/setup\?token=[\w-]+/)?.[0];
        if (!link) await new Promise((ok) => setTimeout(ok, 200));
      }
      assert(link, `no setup link printed:\n${log}`);
      let page: Response | null = null;
      for (let i = 0; i < 300; i++) {
        page = await fetch(link).catch(() => null);
        if (page?.status === 200) break;
        await page?.body?.cancel();
        await new Promise((ok) => setTimeout(ok, 300));
      }
      assert(page, `no answer from ${link}:\n${log}`);
      assertEquals(page.status, 200, log);
      const html = await page.text();
      assertStringIncludes(html, "Set up twofold");

      // The form creates the first admin on D1 (one INSERT ... SELECT ... WHERE NOT EXISTS)
      // and hands over to enrollment.
      const origin = `http://127.0.0.1:${port}`;
      const csrf = html.match(/name="csrf_token" value="([^"]+)"/)?.[1];
      assert(csrf, "no CSRF token on the setup page");
      const cookie = page.headers.getSetCookie().map((c) => c.split(";")[0]).join("; ");
      const token = new URL(link).searchParams.get("token")!;
      const created = await fetch(`${origin}/setup`, {
        method: "POST",
        redirect: "manual",
        headers: {
          "content-type": "application/x-www-form-urlencoded",
          origin,
          cookie,
        },
        body: new URLSearchParams({
          csrf_token: csrf,
          token,
          username: "first-admin",
          password: "correct horse battery staple",
        }),
      });
      assertEquals(created.status, 303, await created.text());
      assertEquals(created.headers.get("location"), "/enroll");
      const spent = await fetch(link);
      assertEquals(spent.status, 410);
      await spent.body?.cancel();
      // The D1 is migrated (readiness reads it; the setup page asked it for admins).
      const ready = await fetch(`http://127.0.0.1:${port}/readyz`);
      assertEquals(ready.status, 200);
      await ready.body?.cancel();
      const wrong = await fetch(`http://127.0.0.1:${port}/setup?token=wrong`);
      assertEquals(wrong.status, 404);
      await wrong.body?.cancel();
      const vars = await Deno.readTextFile(`${state}/dev.vars`);
      assert(/^SIGNING_KEYS=/m.test(vars) && /^ENCRYPTION_KEY=/m.test(vars), "no keys");
      assertEquals((await Deno.stat(`${state}/dev.vars`)).mode! & 0o077, 0);
    } finally {
      try {
        Deno.kill(-child.pid, "SIGTERM");
      } catch { /* already gone */ }
      await child.status;
      await reading.catch(() => {});
      await Deno.remove(state, { recursive: true });
    }
  },
});
