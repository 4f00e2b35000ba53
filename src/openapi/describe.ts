/**
 * @module What a JSON route says about itself for the OpenAPI document: `describe({...})` is a
 * pass-through middleware placed first in a route's handler list, and `jsonBody()` marks its
 * validator with the zod schema it validates. ./document.ts reads both back from `app.routes`,
 * so the document is built from the routes that are actually registered and the schemas they
 * actually validate with.
 */
import type { Context, MiddlewareHandler } from "hono";
import { matchedRoutes } from "hono/route";
import { findTargetHandler } from "hono/utils/handler";
import type { z } from "zod";
import type { ErrorCode } from "../lib/errors.ts";
import type { Scope } from "../lib/scopes.ts";
import { REQUEST_BODY } from "../http/validate.ts";

/** The operation groups of the document, in the order the reference page lists them. */
export const TAGS = {
  login: "Password step, second factor (TOTP or recovery code), cancel.",
  enrollment: "Adding an authenticator app: start, then confirm with one code.",
  session: "Who the bearer is; logging out.",
  "self-service": "The signed-in user's authenticators, recovery codes, devices and sessions.",
  passwords: "Changing a password, and resetting a forgotten one.",
  tokens: "Personal access tokens and admin-made API keys (`tfk_...`).",
  admin: "Users, their 2FA, the policies, the audit log and alerts. Admins only.",
  meta: "Health, public keys and this API description.",
} as const;
export type Tag = keyof typeof TAGS;

/**
 * Who may call an operation. `session`: a session token; `admin`: the session of an admin who
 * passed a second factor; `pending`: the pending token of a login that must enroll; `api_key`:
 * an API key or personal access token with one of `scopes`; `session_cookie`: the pages'
 * session cookie (only forward-auth reads it). Several entries are alternatives.
 */
export type Auth = "session" | "admin" | "pending" | "api_key" | "session_cookie";

/** The success answer: its status, what it means, and the shape or media type of its body. */
export type Success = {
  status: 200 | 201 | 202 | 204;
  description: string;
  /** JSON body; its output shape is documented. */
  json?: z.ZodType;
  /** Other media types the operation can answer with instead (CSV exports, the HTML page). */
  media?: string[];
  /** Response headers that carry the answer, with what they hold. */
  headers?: Record<string, string>;
};

/** An answer that is neither the success nor an error of the error table (a redirect, say). */
export type OtherResponse = {
  status: number;
  description: string;
  media?: string[];
  headers?: Record<string, string>;
};

export type OperationDoc = {
  summary: string;
  description?: string;
  tag: Tag;
  /** Empty: no credentials (the login itself, password reset, meta). */
  auth: Auth[];
  /** For `api_key` in `auth`: the scopes any one of which is enough. */
  scopes?: Scope[];
  /** A JSON body the handler parses itself (routes using `jsonBody()` need not repeat it). */
  body?: z.ZodType;
  /** Query parameters, as the zod object the handler validates them with. */
  query?: z.ZodObject;
  /** Optional query parameters the handler reads without validating (never a 400), and why. */
  queryParams?: Record<string, string>;
  /** Optional request headers the operation reads, with what they do. */
  headers?: Record<string, string>;
  /** What each path parameter names. */
  params?: Record<string, string>;
  success: Success;
  /** Other answers that are not in the `Error` shape. */
  also?: OtherResponse[];
  /** Expected failures beyond those implied by `auth` and by a body or query schema. */
  errors?: ErrorCode[];
};

export const OPERATION: unique symbol = Symbol.for("twofold.openapi.operation");

export type Described = MiddlewareHandler & { [OPERATION]: OperationDoc };

/** Documents the route it is registered on; does nothing at request time. */
export function describe(doc: OperationDoc): Described {
  const middleware: MiddlewareHandler = (_c, next) => next();
  return Object.assign(middleware, { [OPERATION]: doc });
}

/** `describe()` for a group of operations that share a tag and the credentials they accept. */
export const describeAs =
  (tag: Tag, auth: Auth[]) => (doc: Omit<OperationDoc, "tag" | "auth">): Described =>
    describe({ tag, auth, ...doc });

/**
 * What the route a request matched says about itself: its `describe()` entry, and whether one of
 * its handlers validates a JSON body (`jsonBody()`).
 */
export function matchedOperation(
  c: Context,
): { doc: OperationDoc; validatesBody: boolean } | undefined {
  // Each handler of a route is a matched entry of its own, in registration order; the first
  // documented route is the one that answers (middleware entries have method ALL). It runs on
  // every /api request (src/caller/auth_first.ts), hence a plain loop.
  const method = c.req.method;
  const routes = matchedRoutes(c);
  let doc: OperationDoc | undefined;
  let path = "";
  for (const r of routes) {
    if (r.method !== method) continue;
    const found = (findTargetHandler(r.handler) as { [OPERATION]?: OperationDoc })[OPERATION];
    if (found) {
      doc = found;
      path = r.path;
      break;
    }
  }
  if (!doc) return undefined;
  let validatesBody = false;
  for (const r of routes) {
    if (r.method !== method || r.path !== path) continue;
    if ((findTargetHandler(r.handler) as { [REQUEST_BODY]?: z.ZodType })[REQUEST_BODY]) {
      validatesBody = true;
      break;
    }
  }
  return { doc, validatesBody };
}
