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

/** A health probe: 200 with the health body once it can serve (`answered` says what that means). */
const probeDoc = (summary: string, answered: string, description?: string) =>
  metaDoc({
    summary,
    ...(description ? { description } : {}),
    success: { status: 200, description: answered, json: healthResponse },
  });

/** `GET /healthz` (registered in app.ts). */
export const healthzDoc = probeDoc("Liveness with a database round trip", "The database answered.");

/** `GET /livez` (registered in app.ts). */
export const livezDoc = probeDoc(
  "Liveness: the process answers (no database call)",
  "The process serves.",
  "For an orchestrator's liveness probe: a restart cannot fix a database outage, " +
    "so this never touches the database.",
);

/** `GET /readyz` (registered in app.ts). */
export const readyzDoc = probeDoc(
  "Readiness: the database answers",
  "Ready to serve requests.",
  "For a readiness probe or a load balancer: 200 after a database round trip, " +
    '503 `{status:"unavailable"}` when the database does not answer.',
);

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
