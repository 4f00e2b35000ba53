/**
 * Single sign-on and access rules through real proxies: Debian's nginx and Caddy, each in front
 * of the portal (login.alpha.test) and two apps on two root domains (app.alpha.test and
 * wiki.beta.test), with Chromium mapping *.test to 127.0.0.1 and self-signed certificates made
 * here with openssl. The proxy configurations are the ones docs/protecting-apps.md shows,
 * rendered from its code blocks (host names, ports, certificate paths and addresses replaced),
 * so the documentation cannot drift from what is tested.
 *
 * One login in Chromium reaches both apps; a user outside the allowed group is refused on the
 * second with the 403 page; a bypass path needs no login; logging out at the portal ends both.
 */
import type { BrowserContext, Page } from "./browser_harness.ts";
import { assert, assertEquals, assertStringIncludes } from "./assert.ts";
import { addUser, api, codeNow, enrollViaApi, nextStep, PASSWORD, testApp } from "./helpers.ts";

const CHROMIUM = "/usr/bin/chromium";
const NGINX = "/usr/sbin/nginx";
const CADDY = "/usr/bin/caddy";
const DOC = new URL("../docs/protecting-apps.md", import.meta.url);

/** The fenced block that follows `<!-- marker ... -->` in docs/protecting-apps.md. */
export function documentedBlock(doc: string, marker: string): string {
  const at = doc.indexOf(`<!-- ${marker}`);
  assert(at >= 0, `docs/protecting-apps.md has no <!-- ${marker} --> block`);
  const m = doc.slice(at).match(/```[a-z]+\n([\s\S]*?)\n```/);
  assert(m, `no code block after <!-- ${marker} -->`);
  return m[1];
}

/** The block's portal part and its protected-app part (split at "# A protected app"). */
function splitBlock(block: string): { portal: string; app: string } {
  const at = block.indexOf("# A protected app");
  assert(at > 0, "the block has a portal part and an app part");
  return { portal: block.slice(0, at), app: block.slice(at) };
}

type Ports = { proxy: number; http: number; twofold: number; app: number; wiki: number };
type Files = { dir: string; cert: string; key: string };

/** nginx's block, for our hosts and ports, in a complete configuration an unprivileged user runs. */
export function renderNginx(doc: string, ports: Ports, files: Files): string {
  const { portal, app } = splitBlock(documentedBlock(doc, "nginx-sso"));
  const common = (text: string) =>
    text
      .replaceAll("listen 443 ssl;", `listen 127.0.0.1:${ports.proxy} ssl;`)
      .replace(/\/etc\/ssl\/[a-z.]+\.crt/g, files.cert)
      .replace(/\/etc\/ssl\/[a-z.]+\.key/g, files.key)
      .replaceAll("127.0.0.1:8000", `127.0.0.1:${ports.twofold}`);
  const site = (host: string, port: number) =>
    common(app).replaceAll("app.example.com", host).replaceAll(
      "127.0.0.1:3000",
      `127.0.0.1:${port}`,
    );
  const d = files.dir;
  return `daemon off;
worker_processes 1;
pid ${d}/nginx.pid;
error_log ${d}/nginx-error.log warn;
events { worker_connections 64; }
http {
    access_log off;
    client_body_temp_path ${d}/client_body;
    proxy_temp_path ${d}/proxy;
    fastcgi_temp_path ${d}/fastcgi;
    uwsgi_temp_path ${d}/uwsgi;
    scgi_temp_path ${d}/scgi;
${common(portal).replaceAll("login.example.com", "login.alpha.test")}
${site("app.alpha.test", ports.app)}
${site("wiki.beta.test", ports.wiki)}
}
`;
}

/** Caddy's block, for our hosts and ports, with our certificate and no admin endpoint. */
export function renderCaddy(doc: string, ports: Ports, files: Files): string {
  const { portal, app } = splitBlock(documentedBlock(doc, "caddy-sso"));
  const common = (text: string) =>
    text
      .replace(
        /^([a-z.]+\.(?:test|example\.com|example\.org)) \{$/gm,
        (_, host) => `${host}:${ports.proxy} {\n\ttls ${files.cert} ${files.key}`,
      )
      .replaceAll("127.0.0.1:8000", `127.0.0.1:${ports.twofold}`);
  const site = (host: string, port: number) =>
    common(app.replaceAll("app.example.com", host)).replaceAll(
      "127.0.0.1:3000",
      `127.0.0.1:${port}`,
    );
  return `{
	admin off
	http_port ${ports.http}
	https_port ${ports.proxy}
}
${common(portal.replaceAll("login.example.com", "login.alpha.test"))}
${site("app.alpha.test", ports.app)}
${site("wiki.beta.test", ports.wiki)}
`;
}

function freePort(): number {
  const l = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = (l.addr as Deno.NetAddr).port;
  l.close();
  return port;
}

async function run(cmd: string, args: string[]) {
  const out = await new Deno.Command(cmd, { args, stdout: "piped", stderr: "piped" }).output();
  assert(out.success, `${cmd} ${args.join(" ")}: ${new TextDecoder().decode(out.stderr)}`);
}

/** A self-signed certificate for the three hosts (Chromium is told to accept it). */
async function makeCert(dir: string): Promise<Files> {
  const cert = `${dir}/cert.pem`;
  const key = `${dir}/key.pem`;
  await run("openssl", [
    "req",
    "-x509",
    "-newkey",
    "ec",
    "-pkeyopt",
    "ec_paramgen_curve:prime256v1",
    "-nodes",
    "-days",
    "1",
    "-subj",
    "/CN=twofold proxy test",
    "-addext",
    "subjectAltName=DNS:login.alpha.test,DNS:app.alpha.test,DNS:wiki.beta.test",
    "-keyout",
    key,
    "-out",
    cert,
  ]);
  return { dir, cert, key };
}

/** A small app that shows which host it is and what the proxy told it. */
function serveApp(name: string) {
  return Deno.serve({ hostname: "127.0.0.1", port: 0, onListen() {} }, (req) => {
    const url = new URL(req.url);
    if (url.pathname === "/health") return new Response("healthy", { status: 200 });
    const headers = [...req.headers].filter(([k]) => /^(x-auth-|remote-)/.test(k));
    const body = `<!doctype html><title>${name}</title><h1 id="app">${name}</h1>` +
      `<p id="user">${req.headers.get("remote-user") ?? ""}</p>` +
      `<pre id="headers">${JSON.stringify(Object.fromEntries(headers))}</pre>`;
    return new Response(body, { headers: { "content-type": "text/html; charset=utf-8" } });
  });
}

async function waitForPort(port: number, proc: Deno.ChildProcess, log: () => string) {
  let exited = false;
  proc.status.then(() => (exited = true));
  for (let i = 0; i < 100 && !exited; i++) {
    try {
      const c = await Deno.connect({ hostname: "127.0.0.1", port });
      c.close();
      return;
    } catch {
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  try {
    proc.kill();
  } catch { /* gone */ }
  throw new Error(`the proxy did not listen on ${port}: ${log()}`);
}

function installed(path: string): boolean {
  try {
    return Deno.statSync(path).isFile;
  } catch {
    return false;
  }
}

async function scenario(proxy: "nginx" | "caddy") {
  for (const p of [CHROMIUM, proxy === "nginx" ? NGINX : CADDY]) {
    assert(installed(p), `${p} not found: apt-get install chromium nginx-light caddy`);
  }
  const dir = await Deno.makeTempDir({ prefix: `twofold-${proxy}-` });
  const files = await makeCert(dir);
  const ports: Ports = {
    proxy: freePort(),
    http: freePort(),
    twofold: 0,
    app: 0,
    wiki: 0,
  };
  const P = ports.proxy;
  const PORTAL = `https://login.alpha.test:${P}`;
  const APP = `https://app.alpha.test:${P}`;
  const WIKI = `https://wiki.beta.test:${P}`;

  const env = await testApp({
    PUBLIC_URL: PORTAL,
    FORWARD_AUTH_ALLOWED_HOSTS: `app.alpha.test:${P},wiki.beta.test:${P}`,
    COOKIE_SECURE: "true",
    CLIENT_IP_HEADER: "X-Real-IP",
  });
  // Chromium judges cookie lifetimes by its own clock.
  env.clock.set(Math.floor(Date.now() / 1000) * 1000);
  const alice = await addUser(env, "alice", ["admin"]);
  const bob = await addUser(env, "bob", []);
  const aliceFactor = await enrollViaApi(env, "alice");
  const bobFactor = await enrollViaApi(env, "bob");
  nextStep(env);
  const admin = aliceFactor.sessionToken;
  for (const [u, groups] of [[alice, ["wiki"]], [bob, ["staff"]]] as const) {
    const r = await api(env, "PATCH", `/api/v1/admin/users/${u.id}`, { groups }, admin);
    assertEquals(r.status, 200);
  }
  const rules = await api(env, "PUT", "/api/v1/admin/access-rules", {
    default: "deny",
    rules: [
      { paths: ["/health"], action: "bypass" },
      { hosts: ["wiki.beta.test"], groups: ["wiki"], action: "two_factor" },
      { hosts: ["app.alpha.test"], paths: ["/admin"], action: "two_factor", step_up_minutes: 10 },
      { hosts: ["app.alpha.test"], action: "two_factor" },
    ],
  }, admin);
  assertEquals(rules.status, 200);

  const twofold = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen() {} }, env.app.fetch);
  const app = serveApp("app.alpha.test");
  const wiki = serveApp("wiki.beta.test");
  ports.twofold = twofold.addr.port;
  ports.app = app.addr.port;
  ports.wiki = wiki.addr.port;

  const doc = await Deno.readTextFile(DOC);
  const config = proxy === "nginx"
    ? renderNginx(doc, ports, files)
    : renderCaddy(doc, ports, files);
  const configPath = `${dir}/${proxy === "nginx" ? "nginx.conf" : "Caddyfile"}`;
  await Deno.writeTextFile(configPath, config);
  const child = proxy === "nginx"
    ? new Deno.Command(NGINX, {
      args: ["-p", dir, "-c", configPath, "-e", `${dir}/nginx-error.log`],
      stdout: "null",
      stderr: "piped",
    }).spawn()
    : new Deno.Command(CADDY, {
      args: ["run", "--config", configPath, "--adapter", "caddyfile"],
      env: { HOME: dir, XDG_DATA_HOME: dir, XDG_CONFIG_HOME: dir },
      stdout: "null",
      stderr: "piped",
    }).spawn();
  const stderr: string[] = [];
  const reading = (async () => {
    for await (const chunk of child.stderr.pipeThrough(new TextDecoderStream())) {
      stderr.push(chunk);
    }
  })();

  Deno.env.set("__IS_WSL_TEST__", "1");
  const { chromium } = await import(
    // deno-lint-ignore no-import-prefix
    "npm:playwright-core@^1.65.1"
  );
  let browser: Awaited<ReturnType<typeof chromium.launch>> | undefined;
  let current: Page | undefined;
  try {
    await waitForPort(P, child, () => stderr.join(""));
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: [
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-quic",
        "--no-first-run",
        // Test only: *.test resolves to this machine, and the self-signed certificate passes.
        "--host-resolver-rules=MAP *.test 127.0.0.1",
        "--ignore-certificate-errors",
      ],
    });
    const fresh = () => browser!.newContext({ ignoreHTTPSErrors: true });

    const signIn = async (page: Page, username: string, secret: string) => {
      await page.waitForURL((u) => u.origin === PORTAL && u.pathname === "/login");
      await page.fill("#username", username);
      await page.fill("#password", PASSWORD);
      await Promise.all([
        page.waitForURL((u) => u.pathname === "/login/totp"),
        page.click("button[type=submit]"),
      ]);
      await page.fill("#code", codeNow(env, secret));
      await page.click("form[action='/login/totp'] button[type=submit]");
      nextStep(env);
    };
    const text = (page: Page, sel: string) => page.locator(sel).innerText();
    const track = (p: Page) => {
      return (current = p);
    };

    // ---- alice: one login, both apps ----
    const ctx: BrowserContext = await fresh();
    const page = track(await ctx.newPage());
    await page.goto(`${APP}/reports?year=2026`);
    await signIn(page, "alice", aliceFactor.secret);
    await page.waitForURL((u) => u.href === `${APP}/reports?year=2026`);
    assertEquals(await text(page, "#app"), "app.alpha.test");
    assertEquals(await text(page, "#user"), "alice");
    const seen = JSON.parse(await text(page, "#headers"));
    assertEquals(seen["x-auth-user"], "alice");
    assertEquals(seen["remote-groups"], "wiki");
    for (const v of Object.values(seen)) {
      assert(!String(v).includes("{"), `a placeholder reached the app: ${JSON.stringify(seen)}`);
    }
    const cookies = await ctx.cookies();
    const appCookie = cookies.find((c) => c.name === "__Host-twofold_sso");
    assert(appCookie && appCookie.domain === "app.alpha.test" && appCookie.httpOnly, "host-only");
    assert(appCookie.secure);

    // The second app, on another root domain: no login.
    await page.goto(`${WIKI}/`);
    await page.waitForURL(`${WIKI}/`);
    assertEquals(await text(page, "#app"), "wiki.beta.test");
    assertEquals(await text(page, "#user"), "alice");

    // A client's own identity header never reaches the app.
    await ctx.setExtraHTTPHeaders({ "Remote-User": "mallory", "X-Auth-Key": "forged" });
    await page.goto(`${WIKI}/again`);
    const again = JSON.parse(await text(page, "#headers"));
    assertEquals(again["remote-user"], "alice");
    assertEquals(again["x-auth-key"] ?? "", "");
    await ctx.setExtraHTTPHeaders({});

    // ---- step-up: /admin wants a code from the last 10 minutes; a code only, no login ----
    env.clock.advance(11 * 60_000);
    await page.goto(`${APP}/admin/settings`);
    await page.waitForURL((u) => u.origin === PORTAL && u.pathname === "/sso/step-up");
    assertEquals(await page.locator("#password").count(), 0, "no password asked");
    await page.fill("#code", codeNow(env, aliceFactor.secret));
    await page.click("main form[action='/sso/step-up'] button[type=submit]");
    await page.waitForURL((u) => u.href === `${APP}/admin/settings`);
    assertEquals(await text(page, "#user"), "alice");
    nextStep(env);

    // ---- a bypass path needs no login ----
    const anon = await fresh();
    const anonPage = await anon.newPage();
    const health = await anonPage.goto(`${WIKI}/health`);
    assertEquals(health?.status(), 200);
    assertEquals(await anonPage.locator("body").innerText(), "healthy");
    await anon.close();

    // ---- logging out at the portal ends both ----
    await page.goto(`${PORTAL}/logout`);
    await Promise.all([
      page.waitForURL((u) => u.origin === PORTAL && u.pathname === "/login"),
      page.click("main form[action='/logout'] button[type=submit]"),
    ]);
    for (const url of [`${APP}/`, `${WIKI}/`]) {
      await page.goto(url);
      await page.waitForURL((u) => u.origin === PORTAL && u.pathname === "/login");
    }
    await ctx.close();

    // ---- bob: reaches the app, refused on the wiki (not in its group) ----
    const bobCtx = await fresh();
    const bobPage = track(await bobCtx.newPage());
    await bobPage.goto(`${APP}/`);
    await signIn(bobPage, "bob", bobFactor.secret);
    await bobPage.waitForURL(`${APP}/`);
    assertEquals(await text(bobPage, "#user"), "bob");
    const refused = await bobPage.goto(`${WIKI}/`);
    assertEquals(refused?.status(), 403);
    assertEquals(new URL(bobPage.url()).origin, WIKI, "no redirect, no login loop");
    assertStringIncludes(await text(bobPage, "#denied-reason"), "wiki.beta.test");
    assertStringIncludes(await text(bobPage, "#denied-user"), "bob");
    // The page's stylesheet comes through the host's /.twofold/ route.
    const css = await bobPage.goto(`${WIKI}/.twofold/assets/app.css`);
    assertEquals(css?.status(), 200);
    assertStringIncludes(css?.headers()["content-type"] ?? "", "text/css");
    await bobCtx.close();
  } catch (e) {
    // Where the browser was, and what the proxy said, for a failure that is not self-evident.
    const at = current ? `${current.url()}\n${(await current.content()).slice(0, 2000)}` : "";
    const log = await Deno.readTextFile(`${dir}/nginx-error.log`).catch(() => "");
    stderr.push(log.slice(-3000));
    throw new Error(`${(e as Error).message}\n--- page: ${at}\n--- ${proxy}: ${stderr.join("")}`);
  } finally {
    await browser?.close();
    try {
      child.kill("SIGTERM");
    } catch { /* already gone */ }
    await child.status;
    await reading.catch(() => {});
    await twofold.shutdown();
    await app.shutdown();
    await wiki.shutdown();
    await Deno.remove(dir, { recursive: true }).catch(() => {});
  }
}

Deno.test({
  name: "real nginx: one login reaches two apps on two domains; groups, bypass, logout",
  sanitizeResources: false,
  sanitizeOps: false,
  fn: () => scenario("nginx"),
});

Deno.test({
  name: "real Caddy: one login reaches two apps on two domains; groups, bypass, logout",
  sanitizeResources: false,
  sanitizeOps: false,
  fn: () => scenario("caddy"),
});
