/** @module The Bearer credential of a request, read from its Authorization header. */
import type { Context } from "hono";

/** The token of an `Authorization: Bearer ...` header, or undefined when there is none. */
export function bearerToken(c: Context): string | undefined {
  const h = c.req.header("authorization");
  const m = h?.match(/^Bearer\s+([A-Za-z0-9._~+/=-]+)\s*$/i);
  return m?.[1];
}
