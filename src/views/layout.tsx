/** @module The one page layout and the small form pieces every page shares. */
import { currentDelegation } from "./delegation_banner.ts";
import type { Child } from "hono/jsx";
import { raw } from "hono/html";
import { CSRF_FIELD } from "../http/csrf.ts";
import {
  currentLocale,
  currentSwitchBase,
  LANGUAGE_NAMES,
  LOCALES,
  localize,
  t,
} from "../i18n/i18n.ts";
import { site } from "./site.ts";

/** Query parameters that hold a return URL: never echoed unless the page checked them. */
const RETURN_PARAMS = ["redirect", "next"];

/**
 * Links to this page in each language (`?lang=` sets the language cookie). They keep the query
 * string, except return URLs, which only come back through `keep` once the page has checked them.
 */
function LanguageSwitcher(props: { base?: string; keep?: Record<string, string | undefined> }) {
  const here = currentSwitchBase();
  if (!here) return null;
  const current = currentLocale();
  const href = (locale: string) => {
    const params = new URLSearchParams(props.base ? "" : here.search);
    for (const name of RETURN_PARAMS) params.delete(name);
    for (const [name, value] of Object.entries(props.keep ?? {})) {
      if (value) params.set(name, value);
    }
    params.set("lang", locale);
    return `${props.base ?? here.path}?${params}`;
  };
  return (
    <nav class="lang" aria-label={t("layout.language")}>
      <ul>
        {LOCALES.map((locale) => (
          <li>
            <a
              href={href(locale)}
              lang={locale}
              hreflang={locale}
              aria-current={locale === current ? "true" : undefined}
            >
              {LANGUAGE_NAMES[locale]}
            </a>
          </li>
        ))}
      </ul>
    </nav>
  );
}

export function Layout(
  props: {
    title: string;
    children: Child;
    signedIn?: boolean;
    csrf?: string;
    wide?: boolean;
    /** Links shown in the header between the brand and "Log out" (the admin console's). */
    nav?: Child;
    /**
     * Where the language links lead when this page cannot be loaded again by its URL (a page
     * that a POST answered, showing something once).
     */
    languageBase?: string;
    /** Checked query parameters (a return URL) that the language links keep. */
    keep?: Record<string, string | undefined>;
    /** Loads /assets/app.js, for pages with something to enhance (copy buttons). */
    script?: boolean;
    /**
     * Where the stylesheet is served from: `/assets` on twofold's own host; `/.twofold/assets` on
     * a host protected by single sign-on, whose proxy routes only `/.twofold/` to twofold.
     */
    assetBase?: string;
    /** A same-origin path the browser goes on to at once (`<meta http-equiv="refresh">`). */
    refresh?: string;
  },
) {
  return (
    <>
      {raw("<!doctype html>")}
      <html lang={currentLocale()}>
        <head>
          <meta charset="utf-8" />
          <meta name="viewport" content="width=device-width, initial-scale=1" />
          <meta name="color-scheme" content="light dark" />
          <title>{`${props.title} · ${site().name}`}</title>
          {props.refresh ? <meta http-equiv="refresh" content={`0; url=${props.refresh}`} /> : null}
          <link rel="stylesheet" href={`${props.assetBase ?? "/assets"}/app.css`} />
          {site().accent ? <link rel="stylesheet" href="/assets/brand.css" /> : null}
          {props.script ? <script src="/assets/app.js" defer></script> : null}
        </head>
        <body>
          <a class="skip" href="#main">{t("layout.skip")}</a>
          <header class="top">
            <a class="brand" href="/">
              {site().logo ? <img src={site().logo} alt="" height="28" /> : null}
              {site().name}
            </a>
            {props.nav ?? null}
            <div class="top-end">
              <LanguageSwitcher base={props.languageBase} keep={props.keep} />
              {props.signedIn && props.csrf
                ? (
                  <form method="post" action="/logout" class="inline">
                    <CsrfField token={props.csrf} />
                    <button type="submit" class="link">{t("layout.logout")}</button>
                  </form>
                )
                : null}
            </div>
          </header>
          <main id="main" tabindex={-1} class={props.wide ? "wide" : undefined}>
            <DelegationBanner csrf={props.csrf} />
            <h1>{props.title}</h1>
            {props.children}
          </main>
        </body>
      </html>
    </>
  );
}

export function CsrfField(props: { token: string }) {
  return <input type="hidden" name={CSRF_FIELD} value={props.token} />;
}

/** An error announced to screen readers, tied to its field by id. */
export function ErrorText(props: { id: string; message?: string }) {
  return props.message
    ? <p class="error" id={props.id} role="alert">{localize(props.message)}</p>
    : null;
}

/**
 * A wide table, which scrolls sideways on a narrow screen. It takes the focus (named after what
 * it lists), so that keyboard users can scroll it too.
 */
export function TableScroll(props: { label: string; children: Child }) {
  return (
    <div class="table-scroll" role="region" aria-label={props.label} tabindex={0}>
      {props.children}
    </div>
  );
}

/**
 * A button that copies the text of element `target` (its `data-copy-text`, else its text). It
 * needs JavaScript, so it stays hidden until /assets/app.js shows it.
 */
export function CopyButton(props: { target: string; label: string }) {
  return (
    <button
      type="button"
      class="small secondary copy"
      data-copy={props.target}
      data-copied={t("copy.done")}
      data-failed={t("copy.failed")}
      hidden
    >
      {props.label}
    </button>
  );
}

/** A page with a title, one message and an optional link; English text from routes is localized. */
export function MessagePage(
  props: {
    title: string;
    message: string;
    link?: { href: string; text: string };
    signedIn?: boolean;
    csrf?: string;
  },
) {
  return (
    <Layout title={localize(props.title)} signedIn={props.signedIn} csrf={props.csrf}>
      <p>{localize(props.message)}</p>
      {props.link
        ? (
          <p>
            <a href={props.link.href}>{localize(props.link.text)}</a>
          </p>
        )
        : null}
    </Layout>
  );
}

/**
 * On every page of a delegated session: who is acting as whom, and the way back (a form when
 * the page has a CSRF token, else a link to the account page, which has one).
 */
function DelegationBanner(props: { csrf?: string }) {
  const d = currentDelegation();
  if (!d) return null;
  return (
    <div class="warning" id="delegation-banner">
      <p>{t("delegation.banner", { user: d.username, admin: d.admin })}</p>
      {props.csrf
        ? (
          <form method="post" action="/delegation/end" class="inline">
            <CsrfField token={props.csrf} />
            <button type="submit" class="small">{t("delegation.end")}</button>
          </form>
        )
        : <a href="/account">{t("delegation.end")}</a>}
    </div>
  );
}
