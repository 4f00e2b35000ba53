/** @module The Bearer credential of a request, read from its Authorization header. */
import type { Context } from "hono";

/** The token of an `Authorization: Bearer ...` header, or undefined when there is none. */
export function bearerToken(c: Context): string | undefined {
  return bearerOf(c.req.raw.headers);
}

/**
 * The same, from a request's headers (the fast lane answers without a Hono context). The last
 * header read is remembered with its token: a check reads it more than once, and a client
 * sends the same one again and again (the pattern runs over the whole token, ~350 characters).
 */
export function bearerOf(headers: Headers): string | undefined {
  const header = headers.get("authorization");
  if (header === null) return undefined;
  if (header === lastHeader) return lastToken;
  lastToken = header.match(/^Bearer\s+([A-Za-z0-9._~+/=-]+)\s*$/i)?.[1];
  lastHeader = header;
  return lastToken;
}

let lastHeader: string | null = null;
let lastToken: string | undefined;
