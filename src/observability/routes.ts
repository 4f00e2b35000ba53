/**
 * @module GET /metrics: the Prometheus text format, when METRICS_ENABLED. With METRICS_TOKEN set
 * it needs `Authorization: Bearer <token>`, compared in constant time.
 */
import { Hono } from "hono";
import type { Deps } from "../deps.ts";
import { bearerToken } from "../http/bearer.ts";
import { timingSafeEqual } from "../lib/crypto.ts";
import { METRICS_CONTENT_TYPE } from "./metrics.ts";
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
  }],
});

export function metricsRoutes(deps: Deps): Hono {
  const app = new Hono();
  if (!deps.config.METRICS_ENABLED) return app; // not served: the app's 404

  app.get("/metrics", metricsDoc, (c) => {
    const token = deps.config.METRICS_TOKEN;
    if (token && !timingSafeEqual(bearerToken(c) ?? "", token)) {
      c.header("WWW-Authenticate", 'Bearer realm="metrics"');
      return c.text("unauthorized\n", 401);
    }
    c.header("Content-Type", METRICS_CONTENT_TYPE);
    return c.body(deps.metrics.registry.render());
  });

  return app;
}
