/** @module Redirect targets: only paths on our own origin (ASVS 3.7.2). */

/**
 * Returns `target` if it is a same-origin absolute path, else `fallback`. Refuses scheme-relative
 * (`//evil`), backslash tricks (`/\evil`), control characters and anything with a scheme.
 */
export function safeRedirect(target: string | undefined | null, fallback = "/account"): string {
  if (!target || target.length > 2048) return fallback;
  if (!target.startsWith("/") || target.startsWith("//") || target.startsWith("/\\")) {
    return fallback;
  }
  // deno-lint-ignore no-control-regex
  if (/[\u0000-\u001f\u007f\\]/.test(target)) return fallback;
  try {
    const base = "http://same.invalid";
    const url = new URL(target, base);
    if (url.origin !== base) return fallback;
    return url.pathname + url.search + url.hash;
  } catch {
    return fallback;
  }
}
