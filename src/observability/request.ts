/**
 * @module Per request: an `X-Request-Id`, one JSON log line (method, path without the query,
 * status, duration, request id, client address; never a body, token, code or cookie) and the
 * HTTP metrics, labelled by the matched route pattern so that label values stay few.
 */
import type { Context, MiddlewareHandler } from "hono";
import { matchedRoutes } from "hono/route";
import type { Deps } from "../deps.ts";
import { requestArrived } from "../db/changes.ts";
import { clientIp } from "../http/client.ts";
import { addResponseHeaders } from "../http/security_headers.ts";

declare module "hono" {
  interface ContextVariableMap {
    requestId: string;
    /** The request's number (src/db/changes.ts `requestArrived()`), for the session check. */
    arrival: number;
  }
}

const REQUEST_ID = /^[A-Za-z0-9._-]{1,64}$/;

/**
 * An incoming `X-Request-Id` if it is short and plain (it lands in logs), else a new random
 * UUID (a native call: a twentieth of the cost of random bytes made base64url).
 */
export function requestIdFrom(incoming: string | undefined): string {
  return incoming && REQUEST_ID.test(incoming) ? incoming : crypto.randomUUID();
}

const METHODS = new Set(["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"]);

/** The method as a label: anything unusual is "other", so clients cannot add label values. */
export function methodLabel(method: string): string {
  return METHODS.has(method) ? method : "other";
}

/**
 * The route pattern a request was for. The last dispatched handler's pattern when it is a
 * route; when a middleware answered instead (CSRF, an admin guard), the route it stood in front
 * of; "unmatched" when no route matched (a 404). Middleware is registered for all methods.
 */
export function routeLabel(
  routes: readonly { method: string; path: string }[],
  index: number,
): string {
  const at = routes[index];
  if (at && at.method !== "ALL") return at.path;
  const next = routes.slice(Math.max(0, index + 1)).find((r) => r.method !== "ALL");
  return next?.path ?? "unmatched";
}

/** What one answered request leaves behind: its counter, its duration, its log line. */
export type AnsweredRequest = {
  method: string;
  path: string;
  route: string;
  status: number;
  seconds: number;
  requestId: string;
  ip: string | null;
};

/** The metrics and the log line of an answered request (the router's and the fast lane's). */
export function recordRequest(deps: Deps, r: AnsweredRequest): void {
  const method = methodLabel(r.method);
  deps.metrics.httpRequests.inc({ method, route: r.route, status: String(r.status) });
  deps.metrics.httpDuration.observe({ route: r.route }, r.seconds);
  deps.log("info", "request", {
    method,
    path: r.path.slice(0, 512),
    route: r.route,
    status: r.status,
    duration_ms: Math.round(r.seconds * 100_000) / 100,
    request_id: r.requestId,
    ip: r.ip,
  });
}

export function requestObserver(deps: Deps): MiddlewareHandler {
  return async (c: Context, next) => {
    c.set("arrival", requestArrived());
    const started = performance.now();
    const requestId = requestIdFrom(c.req.header("x-request-id"));
    c.set("requestId", requestId);
    await next();
    addResponseHeaders(c, (headers) => headers.set("X-Request-Id", requestId));
    recordRequest(deps, {
      method: c.req.method,
      path: c.req.path,
      route: routeLabel(matchedRoutes(c), c.req.routeIndex),
      status: c.res.status,
      // performance.now() on Workers only advances across I/O: good enough for latency.
      seconds: (performance.now() - started) / 1000,
      requestId,
      ip: clientIp(c, deps.config),
    });
  };
}
