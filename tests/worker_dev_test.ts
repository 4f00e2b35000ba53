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
  name: "worker:dev: a migrated D1, keys and the setup link, from nothing",
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
      assertStringIncludes(await page.text(), "Set up twofold");
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
