/**
 * @module GET /metrics: the Prometheus text format, when METRICS_ENABLED. With METRICS_TOKEN set
 * it needs `Authorization: Bearer <token>`, compared in constant time. With several processes
 * every series is the sum over all of them; if one does not answer, the scrape fails (503) rather
 * than showing counters that seem to go back.
 */
import { Hono } from "hono";
import type { Deps } from "../deps.ts";
import { bearerToken } from "../http/bearer.ts";
import { timingSafeEqual } from "../lib/crypto.ts";
import { METRICS_CONTENT_TYPE } from "./metrics.ts";
import { readPeers } from "./peers.ts";
import { describe } from "../openapi/describe.ts";

/** The route in the OpenAPI document (listed only where metrics are served). */
const metricsDoc = describe({
  summary: "Prometheus metrics",
  description: "With METRICS_TOKEN set, needs Authorization: Bearer <METRICS_TOKEN>.",
  tag: "meta",
  auth: [],
  success: { status: 200, description: "The Prometheus text format.", media: ["text/plain"] },
  also: [{
    status: 401,
    description: "METRICS_TOKEN is set and the request does not carry it.",
    media: ["text/plain"],
    headers: { "WWW-Authenticate": 'Bearer realm="metrics"' },
  }, {
    status: 503,
    description: "With PROCESSES > 1: another server process did not send its counts in time.",
    media: ["text/plain"],
  }],
});

export function metricsRoutes(deps: Deps): Hono {
  const app = new Hono();
  if (!deps.config.METRICS_ENABLED) return app; // not served: the app's 404

  app.get("/metrics", metricsDoc, async (c) => {
    const token = deps.config.METRICS_TOKEN;
    if (token && !timingSafeEqual(bearerToken(c) ?? "", token)) {
      c.header("WWW-Authenticate", 'Bearer realm="metrics"');
      return c.text("unauthorized\n", 401);
    }
    const peers = deps.metricsPeers?.length ? await readPeers(deps.metricsPeers) : null;
    if (peers && !peers.ok) {
      deps.log("warn", "metrics.peer_unavailable", { socket: peers.path });
      return c.text("the counts of another server process are unavailable\n", 503);
    }
    c.header("Content-Type", METRICS_CONTENT_TYPE);
    return c.body(deps.metrics.registry.render(peers?.snapshots));
  });

  return app;
}
