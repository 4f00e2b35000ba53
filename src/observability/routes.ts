/**
 * @module GET /metrics: the Prometheus text format, when METRICS_ENABLED. With METRICS_TOKEN set
 * it needs `Authorization: Bearer <token>`, compared in constant time.
 */
import { Hono } from "hono";
import type { Deps } from "../deps.ts";
import { bearerToken } from "../http/auth.ts";
import { timingSafeEqual } from "../lib/crypto.ts";
import { METRICS_CONTENT_TYPE } from "./metrics.ts";

export function metricsRoutes(deps: Deps): Hono {
  const app = new Hono();
  if (!deps.config.METRICS_ENABLED) return app; // not served: the app's 404

  app.get("/metrics", (c) => {
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
