/** @module Turning domain results into responses: one error shape for JSON, pages for HTML. */
import type { Context } from "hono";
import { type ErrorCode, ERRORS, type Failure } from "../lib/errors.ts";

export type FieldErrors = Record<string, string[]>;

/** Any zod error (classic or core) reduced to field -> messages. */
export type IssueList = {
  issues: readonly {
    path: readonly PropertyKey[];
    message: string;
    code?: string;
    keys?: readonly string[];
  }[];
};

export function fieldErrors(error: IssueList): FieldErrors {
  const out: FieldErrors = {};
  // Field names can come from the request (unknown keys such as "constructor" or "__proto__"):
  // only own properties count, and new ones are defined, never assigned through a prototype.
  const add = (key: string, message: string) => {
    if (!Object.hasOwn(out, key)) {
      Object.defineProperty(out, key, { value: [], enumerable: true, writable: true });
    }
    out[key].push(message);
  };
  for (const issue of error.issues) {
    if (issue.code === "unrecognized_keys" && issue.keys?.length) {
      // A strict body names each field it does not know, so a typo is not silently dropped.
      for (const name of issue.keys) {
        add([...issue.path.map(String), name].join("."), "Unknown field.");
      }
      continue;
    }
    add(issue.path.length ? issue.path.map(String).join(".") : "_body", issue.message);
  }
  return out;
}

export function errorBody(code: ErrorCode, fields?: FieldErrors) {
  return { error: { code, message: ERRORS[code].message, ...(fields ? { fields } : {}) } };
}

export function jsonFailure(c: Context, failure: Failure): Response {
  if (failure.retryAfterSeconds !== undefined) {
    c.header("Retry-After", String(failure.retryAfterSeconds));
  }
  return c.json(errorBody(failure.code), ERRORS[failure.code].status);
}

/** A done action: `status` (204) without a body; a failure in the error shape. */
export function jsonDone(c: Context, r: { ok: true } | Failure, status: 200 | 204 = 204): Response {
  return r.ok ? c.body(null, status) : jsonFailure(c, r);
}

export function jsonValidationFailure(c: Context, error: IssueList): Response {
  return c.json(errorBody("validation_failed", fieldErrors(error)), 400);
}

/** A CSV file to download: UTF-8, saved under `filename`. */
export function csvFile(c: Context, filename: string, csv: string): Response {
  c.header("Content-Type", "text/csv; charset=utf-8");
  c.header("Content-Disposition", `attachment; filename="${filename}"`);
  return c.body(csv);
}

export function statusOf(code: ErrorCode) {
  return ERRORS[code].status;
}

export function messageOf(code: ErrorCode): string {
  return ERRORS[code].message;
}
