/**
 * @module Set-up shared by the real-browser tests: the app served on a random local port with its
 * fixed clock at the real time, one user, and Chromium (through playwright-core) on one page.
 */
// Test-only packages are named here, not in deno.json's import map: with nodeModulesDir "auto"
// every package of the import map is installed at any start, and the server never imports these.
// deno-lint-ignore no-import-prefix
import type { Browser, BrowserContext, Page, Response } from "npm:playwright-core@^1.65.1";
export type { Browser, BrowserContext, Page, Response };
import { assert } from "./assert.ts";
import { addUser, PASSWORD, testApp, type TestEnv } from "./helpers.ts";

export const CHROMIUM = "/usr/bin/chromium";
const ARTIFACTS = new URL("./.artifacts/", import.meta.url);
export const CHROMIUM_ARGS = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
  "--disable-quic",
  "--no-first-run",
];

/**
 * playwright-core, loaded only once chromium is known to exist. At load it probes /proc for WSL
 * (the `is-wsl` package), and Deno grants /proc reads only under --allow-all, which the test
 * task does not give; `__IS_WSL_TEST__` makes is-wsl probe lazily, when something opens a URL
 * in a desktop app, which a test never does.
 */
export async function loadChromium() {
  Deno.env.set("__IS_WSL_TEST__", "1");
  // deno-lint-ignore no-import-prefix
  return (await import("npm:playwright-core@^1.65.1")).chromium;
}

export function chromiumInstalled(): boolean {
  try {
    return Deno.statSync(CHROMIUM).isFile;
  } catch {
    return false;
  }
}

export type BrowserRun = {
  env: TestEnv;
  /** The id of the user "alice", whose password is PASSWORD ("" with `noUser`). */
  userId: string;
  origin: string;
  context: BrowserContext;
  page: Page;
  /** The path of the page's current URL. */
  path(): string;
  /** Where a screenshot named `name` goes (tests/.artifacts/). */
  shot(name: string): string;
};

/**
 * Runs `fn` against a served app with the user "alice" (none with `noUser`; `env`: settings)
 * and a fresh Chromium page, then closes the browser and the server whatever happens.
 */
export async function withBrowser(
  fn: (run: BrowserRun) => Promise<void>,
  options: { env?: Record<string, string>; noUser?: boolean } = {},
): Promise<void> {
  assert(
    chromiumInstalled(),
    `${CHROMIUM} not found: install Debian's chromium (apt-get install chromium) to run this test`,
  );
  await Deno.mkdir(ARTIFACTS, { recursive: true });

  const env = await testApp(options.env);
  // The browser judges cookie expiry by its own clock: the pending cookie lives 5 minutes of
  // the app's clock, so the fixed clock starts at the real time instead of T0.
  env.clock.set(Math.floor(Date.now() / 1000) * 1000);
  const user = options.noUser ? { id: "" } : await addUser(env);

  const chromium = await loadChromium();
  const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen() {} }, env.app.fetch);
  const origin = `http://127.0.0.1:${server.addr.port}`;
  let browser: Browser | undefined;
  try {
    browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
    const context = await browser.newContext();
    const page = await context.newPage();
    await fn({
      env,
      userId: user.id,
      origin,
      context,
      page,
      path: () => new URL(page.url()).pathname,
      shot: (name) => new URL(name, ARTIFACTS).pathname,
    });
  } finally {
    await browser?.close();
    await server.shutdown();
  }
}

/** Fills the password form of /login as alice (the caller submits it). */
export async function fillPasswordForm(page: Page, password = PASSWORD): Promise<void> {
  await page.fill("#username", "alice");
  await page.fill("#password", password);
}

/**
 * Clicks `selector` and waits until the page is at `target`, a path with its query string
 * ("/account?notice=device_revoked"): matching the query too means a page that posts back to
 * itself is not taken as already there.
 */
export async function clickAndWait(page: Page, selector: string, target: string): Promise<void> {
  await Promise.all([
    page.waitForURL((url) => url.pathname + url.search === target),
    page.click(selector),
  ]);
}
