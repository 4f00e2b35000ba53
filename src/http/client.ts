/**
 * @module Who is asking: the client address comes from a configured trusted header or the
 * platform, never from an arbitrary X-Forwarded-For (ASVS 15.3.4).
 */
import type { Context } from "hono";
import type { Config } from "../config.ts";

/**
 * Where a request came from, as audit entries and rate limits record it. `location` is where
 * the platform placed the client ("Paris, FR"), only when it says so (Cloudflare's request.cf).
 */
export type RequestMeta = { ip: string | null; userAgent: string | null; location?: string | null };

export function clientIp(c: Context, config: Config): string | null {
  return clientIpOf(c.req.raw, c.env, config);
}

/**
 * `clientIp()` from the request and the second argument of `fetch()` (Hono's `env`): the fast
 * lane (src/fast_lane.ts) answers without a Hono context.
 */
export function clientIpOf(raw: Request, env: unknown, config: Config): string | null {
  if (config.CLIENT_IP_HEADER) {
    const v = raw.headers.get(config.CLIENT_IP_HEADER)?.split(",")[0]?.trim();
    if (v) return v.slice(0, 64);
  }
  // On Cloudflare Workers the platform attaches `request.cf`, which a client cannot forge, and
  // the edge sets CF-Connecting-IP itself (overwriting any value a client sent). Elsewhere the
  // header is just client input, so it is read only when `cf` shows the request came that way.
  if ((raw as Request & { cf?: unknown }).cf) {
    const v = raw.headers.get("cf-connecting-ip")?.trim();
    if (v) return v.slice(0, 64);
  }
  // Deno.serve passes its ServeHandlerInfo as the second fetch argument, which Hono exposes as env.
  return (env as { remoteAddr?: { hostname?: string } } | undefined)?.remoteAddr?.hostname ?? null;
}

/** Cloudflare's geolocation of the client: set by the edge, never by the client. */
type CfGeo = { country?: unknown; city?: unknown };

/**
 * "City, CC", or "CC" without a city, from the platform's request.cf on Workers; null anywhere
 * else, and when the platform does not know ("XX"): nothing is guessed from the address.
 */
export function clientLocation(raw: Request): string | null {
  const cf = (raw as Request & { cf?: CfGeo }).cf;
  if (!cf || typeof cf !== "object") return null;
  const clean = (v: unknown) =>
    typeof v === "string" && v.trim() !== "" ? v.trim().slice(0, 64) : null;
  const country = clean(cf.country);
  const city = clean(cf.city);
  if (!country || country === "XX") return city;
  return city ? `${city}, ${country}` : country;
}

export function requestMeta(c: Context, config: Config): RequestMeta {
  return requestMetaOf(c.req.raw, c.env, config);
}

/** `requestMeta()` from the request and `fetch()`'s second argument (see `clientIpOf`). */
export function requestMetaOf(raw: Request, env: unknown, config: Config): RequestMeta {
  return {
    ip: clientIpOf(raw, env, config),
    userAgent: raw.headers.get("user-agent")?.slice(0, 512) ?? null,
    location: clientLocation(raw),
  };
}
