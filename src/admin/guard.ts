/**
 * @module Who may administer: a person with the admin role, in a full session that passed a
 * second factor. API keys, pending tokens and non-admins are refused on every admin route.
 */
import type { Context } from "hono";
import type { Deps } from "../deps.ts";
import { apiSession, pageSession } from "../caller/resolve.ts";
import { clientIp } from "../http/client.ts";
import { fail, type Failure } from "../lib/errors.ts";
import { inAnyCidr } from "../lib/ip.ts";
import type { SessionContext } from "../sessions/service.ts";

export function isAdminSession(ctx: SessionContext): boolean {
  const passedSecondFactor = ctx.amr.some((m) =>
    m === "otp" || m === "rec" || m === "dev" || m === "pop"
  );
  return ctx.roles.includes("admin") && passedSecondFactor;
}

type SessionCheck = (
  c: Context,
  deps: Deps,
) => Promise<{ ok: true; ctx: SessionContext } | Failure>;

/**
 * Whether the request comes from a network the console answers (ADMIN_ALLOWED_NETWORKS; none
 * listed: any). Checked before the session, so that elsewhere the answer is 403 for everyone.
 */
export function fromAdminNetwork(c: Context, deps: Deps): boolean {
  const ranges = deps.config.ADMIN_ALLOWED_NETWORKS;
  return ranges.length === 0 || inAnyCidr(clientIp(c, deps.config), ranges);
}

/** `check`, and then refused (`forbidden`) unless the caller is an admin session. */
const adminOnly = (check: SessionCheck): SessionCheck => async (c, deps) => {
  if (!fromAdminNetwork(c, deps)) return fail("forbidden");
  const s = await check(c, deps);
  if (!s.ok) return s;
  return isAdminSession(s.ctx) ? s : fail("forbidden");
};

/** For `/api/v1/admin/...`: an admin's session token (Bearer; API keys are refused). */
export const adminApiSession = adminOnly(apiSession);
/** For the console's pages (`/admin/...`). */
export const adminPageSession = adminOnly(pageSession);
