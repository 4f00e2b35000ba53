/**
 * @module Request bodies, bounded in size and in time, and read only when something asks.
 *
 * - A body declared larger than MAX_BODY_BYTES is refused 413 at once, unread; one of unknown
 *   length (chunked) as soon as the bytes counted pass the limit.
 * - A client that sends its headers and then trickles its body, or stops, would keep its request
 *   (and everything its handler holds) waiting for ever: Deno.serve has no read timeout of its
 *   own. A read still unfinished BODY_TIMEOUT_SECONDS after it began fails, and the request is
 *   answered 408 whatever its handler made of the failed read (a handler cannot act on a body
 *   it could not read).
 * - Nothing is read before a handler asks: an anonymous caller's body stays unread
 *   (src/caller/auth_first.ts).
 *
 * How: the body's one read is put in Hono's body cache as a getter, under the form its usual
 * reader wants (JSON bodies as text, others as bytes, so no copy is made). Every reader of the
 * request (`c.req.text()`, `json()`, `arrayBuffer()`, `parseBody()`) goes through that cache
 * (hono/dist/request.js `#cachedBody`), so the first read starts it and all share it.
 * tests/body_limit_test.ts holds Hono to that.
 *
 * Deno.serve keeps the connection itself open after a 408 (measured with Deno 2.9.6, as it keeps
 * one that never completes its headers): only a proxy in front closes those
 * (docs/operations.md, "Slow clients").
 */
import type { Context, MiddlewareHandler } from "hono";
import { JSON_MEDIA } from "./validate.ts";

export type BodyGuardOptions = {
  /** The largest body accepted, in bytes. */
  maxBytes: number;
  /** How long a body has to arrive whole, from the moment something starts reading it. */
  ms: number;
  onTooLarge: (c: Context) => Response | Promise<Response>;
  onTimeout: (c: Context) => Response | Promise<Response>;
};

/** Why a body read failed here. */
export class BodyRefused extends Error {
  constructor(readonly reason: "too_large" | "timeout") {
    super(reason === "timeout" ? "The body did not arrive in time." : "The body is too large.");
    this.name = "BodyRefused";
  }
}

/** Where a body cache keeps its request's `start` (a symbol: no reader enumerates it). */
const READ = Symbol("twofold.bodyRead");

/**
 * The getter every guarded body cache shares, calling the `start` kept on it. One function for
 * all: defining a getter made per request gives each body cache a shape of its own, which V8
 * keeps as a slow dictionary (measured: 35-40 us more CPU per request with a body).
 */
function startRead(this: Record<PropertyKey, unknown>): Promise<unknown> {
  return (this[READ] as () => Promise<unknown>)();
}

/** The middleware: see the module. Requests without a body pass untouched. */
export function bodyGuard(options: BodyGuardOptions): MiddlewareHandler {
  const { maxBytes, ms, onTooLarge, onTimeout } = options;
  return async (c, next) => {
    const raw = c.req.raw;
    if (raw.body === null) return await next();
    const declared = raw.headers.get("content-length");
    const counted = declared === null || raw.headers.has("transfer-encoding");
    if (!counted && !(Number(declared) <= maxBytes)) return await onTooLarge(c);

    let refused: BodyRefused | null = null;
    let timer: ReturnType<typeof setTimeout> | undefined;
    let read: Promise<unknown> | null = null;
    const asText = JSON_MEDIA.test((raw.headers.get("content-type") ?? "").split(";")[0].trim());
    const start = (): Promise<unknown> => {
      if (read) return read;
      const body: Promise<unknown> = counted
        ? readCounted(raw.body!, maxBytes)
        : raw[asText ? "text" : "arrayBuffer"]();
      // One promise settled by whichever comes first, the body or the deadline (a race of two
      // promises with a finally cost ~10 us more per request, measured). Settled, the read can
      // no longer be late, however long the handler goes on; a losing read stays pending until
      // the client sends the rest or goes, and its outcome is ignored.
      read = new Promise((resolve, reject) => {
        timer = setTimeout(() => reject(refused ??= new BodyRefused("timeout")), ms);
        body.then((value) => {
          clearTimeout(timer);
          if (!counted) return resolve(value);
          if (value === null) return reject(refused ??= new BodyRefused("too_large"));
          resolve(asText ? new TextDecoder().decode(value as ArrayBuffer) : value);
        }, (e) => {
          clearTimeout(timer);
          reject(e);
        });
      });
      return read;
    };
    const cache = c.req.bodyCache as Record<PropertyKey, unknown>;
    cache[READ] = start;
    Object.defineProperty(cache, asText ? "text" : "arrayBuffer", {
      get: startRead,
      enumerable: true,
      configurable: true,
    });
    try {
      await next();
    } finally {
      clearTimeout(timer);
    }
    // Whatever the handler answered to a body it could not read (400, 403 for a form without
    // its CSRF token...) gives way to the reason.
    const why = refused as BodyRefused | null;
    if (why) c.res = await (why.reason === "timeout" ? onTimeout(c) : onTooLarge(c));
  };
}

/** Reads a body of unknown length: its bytes, or null once past `maxBytes`. */
async function readCounted(
  stream: ReadableStream<Uint8Array>,
  maxBytes: number,
): Promise<ArrayBuffer | null> {
  const reader = stream.getReader();
  let size = 0;
  let buffer = new Uint8Array(0);
  try {
    for (;;) {
      const r = await reader.read();
      if (r.done) return buffer.slice(0, size).buffer;
      const offset = size;
      size += r.value.length;
      if (size > maxBytes) return null;
      if (size > buffer.length) {
        const grown = new Uint8Array(Math.min(maxBytes, Math.max(size, buffer.length * 2)));
        grown.set(buffer.subarray(0, offset));
        buffer = grown;
      }
      buffer.set(r.value, offset);
    }
  } finally {
    reader.cancel().catch(() => {});
  }
}
