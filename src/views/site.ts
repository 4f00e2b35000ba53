/**
 * @module What pages say about this deployment, from the configuration: the product name and
 * logo (branding), the issuer shown in the enrollment and code texts, and the remember-me
 * length. Set per request (app.ts) like the language, so views stay functions of their props.
 */
import { AsyncLocalStorage } from "node:async_hooks";

export type Site = {
  /** The product name in the header and the page titles. */
  name: string;
  /** The issuer name authenticator apps show (ISSUER). */
  issuer: string;
  /** An image URL (https: or data:) shown before the name; none: the name alone. */
  logo?: string;
  /** Whether /assets/brand.css (the accent colours) is linked. */
  accent: boolean;
  rememberMeDays: number;
};

export const DEFAULT_SITE: Site = {
  name: "twofold",
  issuer: "twofold",
  accent: false,
  rememberMeDays: 7,
};

const storage = new AsyncLocalStorage<Site>();

export function runWithSite<T>(value: Site, fn: () => T): T {
  return storage.run(value, fn);
}

export function site(): Site {
  return storage.getStore() ?? DEFAULT_SITE;
}

/** The text colour that reads best on `hex` (#rrggbb): white or near black. */
export function textOn(hex: string): string {
  const [r, g, b] = [1, 3, 5].map((i) => {
    const c = parseInt(hex.slice(i, i + 2), 16) / 255;
    return c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
  });
  const luminance = 0.2126 * r + 0.7152 * g + 0.0722 * b;
  // Contrast with white (1.05 / (L + 0.05)) against contrast with #10121a (about L 0.006).
  return 1.05 / (luminance + 0.05) >= (luminance + 0.05) / 0.056 ? "#ffffff" : "#10121a";
}

/** The stylesheet of the accent colours (light, and dark when given). */
export function brandCss(light?: string, dark?: string): string {
  let css = "";
  if (light) css += `:root { --accent: ${light}; --accent-fg: ${textOn(light)}; }\n`;
  if (dark) {
    css += `@media (prefers-color-scheme: dark) { :root { --accent: ${dark}; ` +
      `--accent-fg: ${textOn(dark)}; } }\n`;
  }
  return css;
}
