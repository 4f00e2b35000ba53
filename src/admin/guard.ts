/**
 * @module Who may administer: a person with the admin role, in a full session that passed a
 * second factor. API keys, pending tokens and non-admins are refused on every admin route.
 */
import type { Context } from "hono";
import type { Deps } from "../deps.ts";
import { apiSession, pageSession } from "../caller/resolve.ts";
import { fail, type Failure } from "../lib/errors.ts";
import type { SessionContext } from "../sessions/service.ts";

export function isAdminSession(ctx: SessionContext): boolean {
  const passedSecondFactor = ctx.amr.some((m) => m === "otp" || m === "rec" || m === "dev");
  return ctx.roles.includes("admin") && passedSecondFactor;
}

export async function adminApiSession(
  c: Context,
  deps: Deps,
): Promise<{ ok: true; ctx: SessionContext } | Failure> {
  const s = await apiSession(c, deps);
  if (!s.ok) return s;
  return isAdminSession(s.ctx) ? s : fail("forbidden");
}

export async function adminPageSession(
  c: Context,
  deps: Deps,
): Promise<{ ok: true; ctx: SessionContext } | Failure> {
  const s = await pageSession(c, deps);
  if (!s.ok) return s;
  return isAdminSession(s.ctx) ? s : fail("forbidden");
}
