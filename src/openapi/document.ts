/**
 * @module The OpenAPI 3.1 document, built from the routes an app has registered: each route's
 * `describe()` entry and the zod schema its `jsonBody()` validates with (or the body and query
 * schemas its handler parses), converted by zod's own `z.toJSONSchema()`. Nothing here is
 * written by hand per route, so the document cannot list a route the app does not serve.
 */
import type { Hono } from "hono";
import { findTargetHandler } from "hono/utils/handler";
import { z } from "zod";
import { type ErrorCode, ERRORS } from "../lib/errors.ts";
import {
  type Auth,
  OPERATION,
  type OperationDoc,
  type OtherResponse,
  type Success,
  TAGS,
} from "./describe.ts";
import { errorSchema } from "./schemas.ts";
import { REQUEST_BODY } from "../http/validate.ts";

// deno-lint-ignore no-explicit-any -- JSON Schema and OpenAPI objects are open-ended JSON
export type Json = any;

export type OpenApiDocument = {
  openapi: string;
  info: { title: string; version: string; description?: string };
  servers?: { url: string }[];
  tags: { name: string; description: string }[];
  paths: Record<string, Record<string, Json>>;
  components: {
    schemas: Record<string, Json>;
    securitySchemes: Record<string, Json>;
  };
};

export const ERROR_REF = "#/components/schemas/Error";

const SECURITY_SCHEMES = {
  session: {
    type: "http",
    scheme: "bearer",
    bearerFormat: "JWT",
    description: "A session token (`session_token` from a completed login or enrollment). " +
      "The requirement `admin` means an admin's session that passed a second factor.",
  },
  pending: {
    type: "http",
    scheme: "bearer",
    bearerFormat: "JWT",
    description: "The `pending_token` of a login answered with `enrollment_required`.",
  },
  sessionCookie: {
    type: "apiKey",
    in: "cookie",
    name: "__Host-twofold_session",
    description: "The pages' session cookie (`twofold_session` on plain http://localhost).",
  },
  apiKey: {
    type: "http",
    scheme: "bearer",
    bearerFormat: "tfk_...",
    description: "An API key or personal access token; the listed scopes are alternatives.",
  },
} as const;

/** The failures every operation with this kind of credential can answer with. */
const AUTH_ERRORS: Record<Auth, ErrorCode[]> = {
  session: ["unauthorized", "api_key_not_allowed"],
  admin: ["unauthorized", "forbidden", "api_key_not_allowed"],
  pending: ["unauthorized", "invalid_pending_token"],
  api_key: ["unauthorized", "insufficient_scope"],
  session_cookie: ["unauthorized"],
};

const securityRequirement = (auth: Auth, doc: OperationDoc) => {
  switch (auth) {
    case "session":
      return { session: [] };
    case "admin":
      return { session: ["admin"] };
    case "pending":
      return { pending: [] };
    case "api_key":
      return { apiKey: [...(doc.scopes ?? [])] };
    case "session_cookie":
      return { sessionCookie: [] };
  }
};

/** A zod schema as JSON Schema 2020-12 (the dialect of OpenAPI 3.1), inputs as accepted. */
export function jsonSchemaOf(schema: z.ZodType, io: "input" | "output"): Json {
  const out = z.toJSONSchema(schema, {
    io,
    target: "draft-2020-12",
    unrepresentable: "any",
    override: ({ jsonSchema: s }) => {
      // zod's regex for a format (a date-time's is 400 characters) says no more than the format.
      if (s.format && s.pattern) delete s.pattern;
      // z.number().int() states the safe-integer range; it is noise to a reader.
      if (s.minimum === Number.MIN_SAFE_INTEGER) delete s.minimum;
      if (s.maximum === Number.MAX_SAFE_INTEGER) delete s.maximum;
    },
  }) as Json;
  delete out.$schema;
  return out;
}

const openApiPath = (path: string) => path.replace(/:([A-Za-z0-9_]+)/g, "{$1}");

/** `post /api/v1/me/authenticators/:id/replace` -> `postApiV1MeAuthenticatorsByIdReplace`. */
function operationId(method: string, path: string): string {
  const words = path.split("/").filter(Boolean).map((segment) => {
    const param = segment.startsWith(":");
    const name = (param ? segment.slice(1) : segment).split(/[^A-Za-z0-9]+/).filter(Boolean)
      .map((w) => w[0].toUpperCase() + w.slice(1)).join("");
    return param ? `By${name}` : name;
  });
  return method.toLowerCase() + words.join("");
}

function parameters(path: string, doc: OperationDoc): Json[] {
  const out: Json[] = [];
  for (const [, name] of path.matchAll(/:([A-Za-z0-9_]+)/g)) {
    out.push({
      name,
      in: "path",
      required: true,
      schema: { type: "string" },
      ...(doc.params?.[name] ? { description: doc.params[name] } : {}),
    });
  }
  if (doc.query) {
    const schema = jsonSchemaOf(doc.query, "input");
    const required = new Set<string>(schema.required ?? []);
    for (const [name, property] of Object.entries<Json>(schema.properties ?? {})) {
      const { description, ...rest } = property;
      out.push({
        name,
        in: "query",
        required: required.has(name),
        schema: rest,
        ...(description ? { description } : {}),
      });
    }
  }
  for (const [name, description] of Object.entries(doc.queryParams ?? {})) {
    out.push({ name, in: "query", required: false, schema: { type: "string" }, description });
  }
  for (const [name, description] of Object.entries(doc.headers ?? {})) {
    out.push({ name, in: "header", required: false, schema: { type: "string" }, description });
  }
  return out;
}

function response(r: Success | OtherResponse): Json {
  const content: Record<string, Json> = {};
  if ("json" in r && r.json) {
    content["application/json"] = { schema: jsonSchemaOf(r.json, "output") };
  }
  for (const media of r.media ?? []) content[media] = { schema: { type: "string" } };
  const headers = Object.entries(r.headers ?? {}).map(([name, description]) =>
    [name, { description, schema: { type: "string" } }] as const
  );
  return {
    description: r.description,
    ...(headers.length ? { headers: Object.fromEntries(headers) } : {}),
    ...(Object.keys(content).length ? { content } : {}),
  };
}

/** Expected failures grouped by HTTP status, each group naming its error codes. */
function errorResponses(codes: Iterable<ErrorCode>): Record<string, Json> {
  const byStatus = new Map<number, ErrorCode[]>();
  for (const code of new Set(codes)) {
    const status = ERRORS[code].status;
    byStatus.set(status, [...(byStatus.get(status) ?? []), code]);
  }
  const out: Record<string, Json> = {};
  for (const status of [...byStatus.keys()].sort()) {
    const list = byStatus.get(status)!;
    out[String(status)] = {
      description: list.map((c) => `${c}: ${ERRORS[c].message}`).join(" "),
      "x-error-codes": list,
      content: { "application/json": { schema: { $ref: ERROR_REF } } },
      ...(status === 429
        ? {
          headers: {
            "Retry-After": {
              description: "Seconds until a new attempt can succeed.",
              schema: { type: "integer" },
            },
          },
        }
        : {}),
    };
  }
  return out;
}

/**
 * A JSON request body. One that `jsonBody()` validates may be left out when none of its fields
 * is required (no body reads as `{}`); a handler that parses its own body needs one.
 */
function requestBodyOf(body: z.ZodType, viaJsonBody: boolean): Json {
  const schema = jsonSchemaOf(body, "input");
  return {
    required: !viaJsonBody || (schema.required ?? []).length > 0,
    content: { "application/json": { schema } },
  };
}

function operation(method: string, path: string, doc: OperationDoc, body?: z.ZodType): Json {
  const requestBody = body ?? doc.body;
  const implied: ErrorCode[] = [
    ...doc.auth.flatMap((a) => AUTH_ERRORS[a])
      // Where a key is one of the accepted credentials, it is not refused as a key.
      .filter((code) => !(code === "api_key_not_allowed" && doc.auth.includes("api_key"))),
    ...(requestBody || doc.query ? ["validation_failed" as const] : []),
    // Any body over MAX_BODY_BYTES, or slower than BODY_TIMEOUT_SECONDS, is refused before the
    // route sees it.
    ...(requestBody ? ["payload_too_large" as const, "request_timeout" as const] : []),
  ];
  const params = parameters(path, doc);
  return {
    operationId: operationId(method, path),
    summary: doc.summary,
    ...(doc.description ? { description: doc.description } : {}),
    tags: [doc.tag],
    security: doc.auth.map((a) => securityRequirement(a, doc)),
    ...(params.length ? { parameters: params } : {}),
    ...(requestBody ? { requestBody: requestBodyOf(requestBody, body !== undefined) } : {}),
    responses: {
      [String(doc.success.status)]: response(doc.success),
      ...Object.fromEntries((doc.also ?? []).map((r) => [String(r.status), response(r)])),
      ...errorResponses([...implied, ...(doc.errors ?? [])]),
    },
  };
}

/** Every documented route of `app` (method upper case, Hono path), in registration order. */
export function documentedRoutes(
  app: Hono,
): { method: string; path: string; doc: OperationDoc; body?: z.ZodType }[] {
  const found = new Map<
    string,
    { method: string; path: string; doc?: OperationDoc; body?: z.ZodType }
  >();
  for (const route of app.routes) {
    if (route.method === "ALL") continue;
    const handler = findTargetHandler(route.handler) as unknown as {
      [OPERATION]?: OperationDoc;
      [REQUEST_BODY]?: z.ZodType;
    };
    const doc = handler[OPERATION];
    const body = handler[REQUEST_BODY];
    if (!doc && !body) continue;
    const key = `${route.method} ${route.path}`;
    const entry = found.get(key) ?? { method: route.method, path: route.path };
    if (doc) entry.doc = doc;
    if (body) entry.body = body;
    found.set(key, entry);
  }
  // A validated body without a describe() is not documented: the agreement test names it.
  return [...found.values()].filter((e) => e.doc !== undefined) as {
    method: string;
    path: string;
    doc: OperationDoc;
    body?: z.ZodType;
  }[];
}

/** The OpenAPI 3.1 document of every route of `app` that carries a `describe()`. */
export function buildOpenApiDocument(
  app: Hono,
  options: { serverUrl?: string } = {},
): OpenApiDocument {
  const paths: OpenApiDocument["paths"] = {};
  for (const { method, path, doc, body } of documentedRoutes(app)) {
    const p = openApiPath(path);
    (paths[p] ??= {})[method.toLowerCase()] = operation(method, path, doc, body);
  }
  return {
    openapi: "3.1.0",
    info: {
      title: "twofold",
      version: "1.0.0",
      description: "A login service with a TOTP second factor. Requests and answers are JSON; " +
        "every error answers with the `Error` shape. Credentials go in " +
        "`Authorization: Bearer ...`, never in cookies.",
    },
    ...(options.serverUrl ? { servers: [{ url: options.serverUrl }] } : {}),
    tags: Object.entries(TAGS).map(([name, description]) => ({ name, description })),
    paths,
    components: {
      schemas: { Error: jsonSchemaOf(errorSchema, "output") },
      securitySchemes: structuredClone(SECURITY_SCHEMES) as Record<string, Json>,
    },
  };
}
