/**
 * @module The request's language: `?lang=` (which also sets the `lang` cookie), else the cookie,
 * else Accept-Language. Pages under /api/ (the JSON API and its reference) stay English: their
 * messages are machine-facing, the error codes are the contract. /assets/ needs no language.
 */
import type { MiddlewareHandler } from "hono";
import { getCookie, setCookie } from "hono/cookie";
import { z } from "zod";
import { currentLocale, isLocale, type Locale, negotiateLocale, runWithLocale } from "./i18n.ts";

export const LANG_COOKIE = "lang";
const YEAR_SECONDS = 365 * 24 * 3600;

let zodConfigured = false;

/**
 * zod's own messages ("Too big: expected string to have <=64 characters") in the request's
 * language; messages written in a schema win over these and go through `localize()` instead.
 * JSON requests run in English, so API field errors do not change.
 */
function configureZod() {
  if (zodConfigured) return;
  zodConfigured = true;
  const byLocale = {
    en: z.locales.en().localeError,
    fr: z.locales.fr().localeError,
    de: z.locales.de().localeError,
  };
  z.config({ localeError: (issue) => byLocale[currentLocale()](issue) });
}

export function localeMiddleware(): MiddlewareHandler {
  configureZod();
  return async (c, next) => {
    // The API speaks English; the stylesheet and script are the same in every language (and
    // stay cacheable without a Vary on the cookie).
    if (c.req.path.startsWith("/api/") || c.req.path.startsWith("/assets/")) return await next();
    const asked = c.req.query("lang");
    const cookie = getCookie(c, LANG_COOKIE);
    const locale: Locale = isLocale(asked)
      ? asked
      : isLocale(cookie)
      ? cookie
      : negotiateLocale(c.req.header("accept-language"));
    const url = new URL(c.req.url);
    url.searchParams.delete("lang");
    const get = c.req.method === "GET" || c.req.method === "HEAD";
    c.header("Content-Language", locale);
    c.header("Vary", "Accept-Language, Cookie", { append: true });
    await runWithLocale(
      {
        locale,
        switchBase: { path: url.pathname, search: get ? url.searchParams.toString() : "" },
      },
      () => next(),
    );
    // Not HttpOnly: it holds nothing secret, only the language.
    if (isLocale(asked) && asked !== cookie) {
      setCookie(c, LANG_COOKIE, asked, { path: "/", sameSite: "Lax", maxAge: YEAR_SECONDS });
    }
  };
}
