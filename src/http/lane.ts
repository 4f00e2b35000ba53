/**
 * @module What a feature hands the fast lane (src/fast_lane.ts): a function that answers one
 * path's everyday request without the router, or declines and leaves it to the router.
 */

/** A request as the fast lane sees it: no Hono context, only what `fetch()` was given. */
export type LaneRequest = {
  raw: Request;
  /** `fetch()`'s second argument: Deno.serve's ServeHandlerInfo, or the Worker's bindings. */
  env: unknown;
  /** Its number (src/db/changes.ts `requestArrived()`), for the session check. */
  arrival: number;
};

/** A fast answer: its status, its own headers (the lane adds the common ones) and body. */
export type LaneAnswer = {
  status: number;
  headers: readonly [string, string][];
  body: string | null;
};

/**
 * Answers the request, or resolves to null to hand it to the router, which then answers it in
 * full. A lane route answers only when its answer is the one the router's route would give,
 * and declines before anything that the router would then do a second time (an audit entry).
 */
export type LaneRoute = (req: LaneRequest) => Promise<LaneAnswer | null>;
