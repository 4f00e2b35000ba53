/** @module The Bearer credential of a request, read from its Authorization header. */
import type { Context } from "hono";

/** The token of an `Authorization: Bearer ...` header, or undefined when there is none. */
export function bearerToken(c: Context): string | undefined {
  return bearerOf(c.req.raw.headers);
}

/** The same, from a request's headers (the fast lane answers without a Hono context). */
export function bearerOf(headers: Headers): string | undefined {
  const m = headers.get("authorization")?.match(/^Bearer\s+([A-Za-z0-9._~+/=-]+)\s*$/i);
  return m?.[1];
}
