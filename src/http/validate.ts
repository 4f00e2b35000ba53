/**
 * @module Request validation: JSON bodies through one zod-checked reader with our error shape,
 * form bodies through the same zod schemas (HTML forms post the API's field names).
 */
import type { Context, Env, MiddlewareHandler } from "hono";
import { z } from "zod";
import { errorBody, jsonValidationFailure } from "./respond.ts";

/**
 * The mark `jsonBody()` leaves on its middleware: the schema it checks. The OpenAPI document
 * (src/openapi/) reads it as the route's request body, and the auth-first middleware as "this
 * route reads a JSON body"; this layer knows neither.
 */
export const REQUEST_BODY: unique symbol = Symbol.for("twofold.openapi.requestBody");

/** A JSON media type (`application/json`, `application/problem+json`...), parameters removed. */
export const JSON_MEDIA = /^application\/([\w.-]+\+)?json$/i;

/**
 * The body of a JSON request as a value: no body (or only whitespace) reads as `{}`, so that a
 * body whose fields are all optional may be left out; a body that is not declared JSON, or is
 * not JSON, is a failure with a message. The body was already bounded by MAX_BODY_BYTES.
 */
async function readJsonBody(
  c: Context,
): Promise<{ ok: true; value: unknown } | { ok: false; message: string }> {
  let text: string;
  try {
    text = await c.req.text();
  } catch {
    return { ok: false, message: "The body could not be read." };
  }
  if (text.trim() === "") return { ok: true, value: {} };
  const media = (c.req.header("content-type") ?? "").split(";")[0].trim();
  if (!JSON_MEDIA.test(media)) {
    return { ok: false, message: "Send a JSON body with Content-Type: application/json." };
  }
  try {
    return { ok: true, value: JSON.parse(text) };
  } catch {
    return { ok: false, message: "The body is not valid JSON." };
  }
}

/**
 * Validates a JSON body; a missing, non-JSON or malformed body, or bad fields, answer 400
 * `validation_failed` with fields. Handlers read the result with `c.req.valid("json")`, never
 * the raw body again. The schema is also the request body of the route in the OpenAPI document.
 */
export function jsonBody<T extends z.ZodType, E extends Env = Env, P extends string = string>(
  schema: T,
) {
  const middleware: MiddlewareHandler<
    E,
    P,
    { in: { json: z.input<T> }; out: { json: z.output<T> } }
  > = async (c, next) => {
    const body = await readJsonBody(c);
    if (!body.ok) return c.json(errorBody("validation_failed", { _body: [body.message] }), 400);
    const result = await schema.safeParseAsync(body.value);
    if (!result.success) return jsonValidationFailure(c, result.error);
    c.req.addValidatedData("json", result.data as object);
    await next();
  };
  return Object.assign(middleware, { [REQUEST_BODY]: schema as z.ZodType });
}

/**
 * The body `jsonBody(schema)` validated, for handlers whose Context type does not carry it (those
 * wrapped by an authentication helper). Reading `c.req.json()` again instead would parse an
 * unchecked body a second time, and throw where `jsonBody` read a missing body as `{}`.
 */
export function validJson<T extends z.ZodType>(c: Context, _schema: T): z.output<T> {
  return c.req.valid("json" as never) as z.output<T>;
}

/** Parses a urlencoded or multipart form into a plain record of strings (first value wins). */
export async function formRecord(c: Context): Promise<Record<string, string>> {
  try {
    const body = await c.req.parseBody();
    const out: Record<string, string> = {};
    for (const [k, v] of Object.entries(body)) {
      const first = Array.isArray(v) ? v[0] : v;
      if (typeof first === "string") out[k] = first;
    }
    return out;
  } catch {
    return {};
  }
}

/** A boolean that also accepts what HTML checkboxes send ("true", "on"). */
export const formBoolean = z.union([z.boolean(), z.enum(["true", "on", "1", "false", "0", ""])])
  .optional()
  .transform((v) => v === true || v === "true" || v === "on" || v === "1");
