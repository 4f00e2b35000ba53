/**
 * @module The fast lane: the checks that protected apps make on every one of their requests
 * (GET /api/v1/session, GET and HEAD /api/v1/verify), answered ahead of the router when the
 * answer is the everyday one, a live session let through.
 *
 * The router's way costs about as much again as the check itself (eight middleware layers, the
 * Hono context, headers set one by one), on the path that decides how fast every protected app
 * feels. Here the same answer is built in one go: the feature's lane function
 * (src/http/lane.ts: `sessionLane`, `verifyLane`) runs the same checks through the same
 * functions as its route and returns the status, its headers and the body; this module adds
 * what every answer carries (the request id, the security headers, `Cache-Control: no-store`)
 * and records the request as the router's observer does (metrics, one log line). Anything
 * else (another outcome, an API key, a body, an unusual method or path, an error) is handed to
 * the router, which answers it in full; tests/fast_lane_test.ts holds the two ways' answers equal.
 */
import { requestArrived } from "./db/changes.ts";
import type { Deps } from "./deps.ts";
import { clientIpOf } from "./http/client.ts";
import type { LaneAnswer, LaneRoute } from "./http/lane.ts";
import { recordRequest, requestIdFrom } from "./observability/request.ts";

/** One path's lane: its answer, and whether HEAD takes it too (without the body). */
export type Lane = { answer: LaneRoute; head: boolean };

/**
 * `(request, env) => Promise<Response | null> | null`: null at once for a request no lane takes,
 * else the lane's answer, or null when the lane hands it to the router.
 */
export function fastLane(
  deps: Deps,
  securityHeaders: readonly [string, string][],
  lanes: Record<string, Lane>,
) {
  const byPath = new Map(Object.entries(lanes));
  const common: [string, string][] = [...securityHeaders, ["Cache-Control", "no-store"]];
  /**
   * A bodiless answer (verify's) starts as a clone of one prepared with the common headers: a
   * clone copies the header list, where each `append` checks name and value again (the
   * Content-Security-Policy alone is 150 characters): 1.9 against 2.8 us for verify's 16
   * headers. One per status; a template per kept session saved 2 us more but held a response
   * per session (+5 MB at 2,000 sessions, peak RSS 149 MB) and measured slower at that size.
   */
  const bodiless = new Map<number, Response>();

  function responseFor(a: LaneAnswer, head: boolean): Response {
    let res: Response;
    const body = head ? null : a.body;
    if (body === null) {
      let template = bodiless.get(a.status);
      if (!template) {
        template = new Response(null, { status: a.status });
        for (const [name, value] of common) template.headers.append(name, value);
        bodiless.set(a.status, template);
      }
      res = template.clone();
    } else {
      res = new Response(body, { status: a.status });
      for (const [name, value] of common) res.headers.append(name, value);
    }
    // The lane's own are set: a text body brings a Content-Type.
    for (const [name, value] of a.headers) res.headers.set(name, value);
    return res;
  }

  async function answer(lane: Lane, raw: Request, env: unknown, method: string, path: string) {
    const arrival = requestArrived();
    const started = performance.now();
    let a: LaneAnswer | null;
    try {
      a = await lane.answer({ raw, env, arrival });
    } catch {
      // The router meets the same error and answers it (logged, never a 500's details).
      return null;
    }
    if (!a) return null;
    const requestId = requestIdFrom(raw.headers.get("x-request-id") ?? undefined);
    // Headers added one by one cost half of a list given to the constructor (measured: 3.0
    // against 6.1 us for 18).
    const res = responseFor(a, method === "HEAD");
    res.headers.append("X-Request-Id", requestId);
    recordRequest(deps, {
      method,
      path,
      route: path,
      status: a.status,
      seconds: (performance.now() - started) / 1000,
      requestId,
      ip: clientIpOf(raw, env, deps.config),
    });
    return res;
  }

  return (raw: Request, env: unknown): Promise<Response | null> | null => {
    const method = raw.method;
    if (method !== "GET" && method !== "HEAD") return null;
    // The path as Hono's router reads it; one with escapes (%) is left to the router.
    const url = raw.url;
    const start = url.indexOf("/", url.indexOf(":") + 4);
    const query = url.indexOf("?", start);
    const path = query < 0 ? url.slice(start) : url.slice(start, query);
    const lane = byPath.get(path);
    if (!lane || (method === "HEAD" && !lane.head)) return null;
    // A request with a body meets the router's body limit.
    const headers = raw.headers;
    if (headers.has("content-length") || headers.has("transfer-encoding")) return null;
    return answer(lane, raw, env, method, path);
  };
}
