/**
 * @module Request validation: JSON bodies through @hono/zod-validator with our error shape,
 * form bodies through the same zod schemas (HTML forms post the API's field names).
 */
import { zValidator } from "@hono/zod-validator";
import type { Context } from "hono";
import { z } from "zod";
import { documentsBody } from "../openapi/describe.ts";
import { jsonValidationFailure } from "./respond.ts";

/**
 * Validates a JSON body; bad JSON or bad fields answer 400 `validation_failed` with fields. The
 * schema is also the request body of the route in the OpenAPI document.
 */
export function jsonBody<T extends z.ZodType>(schema: T) {
  return documentsBody(
    zValidator("json", schema, (result, c) => {
      if (!result.success) return jsonValidationFailure(c, result.error);
    }),
    schema,
  );
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
