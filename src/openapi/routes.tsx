/**
 * @module The API description over HTTP: `/api/v1/openapi.json` (OpenAPI 3.1) and `/api/docs`
 * (the same document as a page). Both are built once, on first request, from the routes `root`
 * has registered by then (all of them: requests only arrive after createApp returns).
 */
import { Hono } from "hono";
import type { Deps } from "../deps.ts";
import { ApiDocsPage } from "./pages.tsx";
import { describeAs } from "./describe.ts";
import { buildOpenApiDocument, type OpenApiDocument } from "./document.ts";
import { healthResponse, jwksResponse } from "./schemas.ts";

/** `describe()` for the meta operations: anyone may call them. */
const metaDoc = describeAs("meta", []);

/** `GET /healthz` (registered in app.ts). */
export const healthzDoc = metaDoc({
  summary: "Liveness with a database round trip",
  success: { status: 200, description: "The database answered.", json: healthResponse },
});

/** `GET /livez` (registered in app.ts). */
export const livezDoc = metaDoc({
  summary: "Liveness: the process answers (no database call)",
  description: "For an orchestrator's liveness probe: a restart cannot fix a database outage, " +
    "so this never touches the database.",
  success: { status: 200, description: "The process serves.", json: healthResponse },
});

/** `GET /readyz` (registered in app.ts). */
export const readyzDoc = metaDoc({
  summary: "Readiness: the database answers",
  description: "For a readiness probe or a load balancer: 200 after a database round trip, " +
    '503 `{status:"unavailable"}` when the database does not answer.',
  success: { status: 200, description: "Ready to serve requests.", json: healthResponse },
});

/** `GET /.well-known/jwks.json` (registered in app.ts). */
export const jwksDoc = metaDoc({
  summary: "Public keys that verify twofold's tokens (JWKS)",
  description: "Downstream services may verify session tokens (each kind has its own typ and " +
    "aud) against these keys instead of calling GET /api/v1/session.",
  success: { status: 200, description: "A JSON Web Key Set.", json: jwksResponse },
});

export function openApiRoutes(deps: Deps, root: Hono): Hono {
  const app = new Hono();
  let doc: OpenApiDocument | undefined;
  const document =
    () => (doc ??= buildOpenApiDocument(root, { serverUrl: deps.config.PUBLIC_URL }));

  app.get(
    "/api/v1/openapi.json",
    metaDoc({
      summary: "This API as an OpenAPI 3.1 document",
      success: { status: 200, description: "The OpenAPI document (application/json)." },
    }),
    (c) => {
      c.header("Cache-Control", "public, max-age=300");
      return c.json(document());
    },
  );

  app.get(
    "/api/docs",
    metaDoc({
      summary: "The API reference as a web page",
      success: { status: 200, description: "An HTML page.", media: ["text/html"] },
    }),
    (c) => {
      c.header("Cache-Control", "public, max-age=300");
      return c.html(<ApiDocsPage doc={document()} />);
    },
  );

  return app;
}
