/**
 * @module Delegation (Jalios): an admin acts as another user for a limited time, without that
 * user's second factor. Off unless DELEGATION_ENABLED. It starts only from an admin session that
 * passed a second factor within the last five minutes (sudo mode), never for an admin, a
 * disabled account or a service account. The delegated session is a session of the user that
 * names the admin (`sessions.delegated_by`) and the admin's own session; it lasts
 * DELEGATION_MINUTES at most and never past the admin's session. It can never change the
 * user's factors, password or tokens (refused where those are changed). Start and end are
 * audited with both identities.
 */
import { and, eq, gt, isNull } from "drizzle-orm";
import { audit, auditInsert } from "../audit/repo.ts";
import { sessions } from "../db/schema.ts";
import type { Deps } from "../deps.ts";
import type { RequestMeta } from "../http/client.ts";
import { MINUTE } from "../lib/clock.ts";
import { randomId } from "../lib/crypto.ts";
import { fail, type Failure } from "../lib/errors.ts";
import { isFreshlyAuthenticated } from "../reauth/reauth.ts";
import { issueSessionToken, type SessionContext } from "../sessions/service.ts";
import { findUserById } from "../users/repo.ts";
import { parseRoles } from "../users/users.ts";

export type Started = { sessionId: string; sessionToken: string; expiresAt: Date };

/** Starts acting as `targetId` from the admin session `ctx`. */
export async function startDelegation(deps: Deps, ctx: SessionContext, input: {
  targetId: string;
  meta: RequestMeta;
}): Promise<{ ok: true; value: Started } | Failure> {
  const { db, config } = deps;
  const now = deps.clock.now();
  if (!config.DELEGATION_ENABLED) return fail("delegation_disabled");
  if (ctx.session.delegatedBy) return fail("forbidden");
  if (!isFreshlyAuthenticated({ ...ctx.session, amr: ctx.amr }, now)) {
    return fail("reauthentication_required");
  }
  const target = await findUserById(db, input.targetId);
  if (!target) return fail("not_found");
  const refused = parseRoles(target.roles).includes("admin")
    ? "target_is_admin"
    : target.disabled
    ? "target_disabled"
    : target.isService
    ? "service_account"
    : target.id === ctx.user.id
    ? "self"
    : null;
  if (refused) {
    await audit(db, {
      event: "delegation.start",
      outcome: "failure",
      userId: ctx.user.id,
      username: ctx.user.username,
      ...input.meta,
      detail: { acting_as: target.id, acting_as_username: target.username, reason: refused },
    }, now);
    return fail("forbidden");
  }
  const id = randomId();
  const expiresAt = new Date(
    Math.min(now.getTime() + config.DELEGATION_MINUTES * MINUTE, ctx.session.expiresAt),
  );
  await db.batch([
    db.insert(sessions).values({
      id,
      userId: target.id,
      amr: JSON.stringify(["dlg"]),
      rememberMe: false,
      ip: input.meta.ip,
      userAgent: input.meta.userAgent?.slice(0, 512),
      createdAt: now.getTime(),
      lastSeenAt: now.getTime(),
      expiresAt: expiresAt.getTime(),
      delegatedBy: ctx.user.id,
      delegatorSessionId: ctx.session.id,
    }),
    auditInsert(db, {
      event: "delegation.start",
      outcome: "success",
      userId: ctx.user.id,
      username: ctx.user.username,
      ...input.meta,
      detail: {
        acting_as: target.id,
        acting_as_username: target.username,
        session: id,
        admin_session: ctx.session.id,
        until: expiresAt.toISOString(),
      },
    }, now),
  ]);
  return {
    ok: true,
    value: {
      sessionId: id,
      expiresAt,
      sessionToken: await issueSessionToken(deps, {
        id,
        userId: target.id,
        expiresAt,
        actor: { id: ctx.user.id, username: ctx.user.displayName },
      }, now),
    },
  };
}

/**
 * Ends a delegated session. Answers a fresh token for the admin's own session when it is still
 * alive (the way back), else null (sign in again).
 */
export async function endDelegation(deps: Deps, ctx: SessionContext, meta: RequestMeta): Promise<
  { ok: true; back: { token: string; expiresAt: Date } | null } | Failure
> {
  const { db } = deps;
  const now = deps.clock.now();
  const adminId = ctx.session.delegatedBy;
  if (!adminId) return fail("not_found");
  const admin = await findUserById(db, adminId);
  await db.batch([
    db.update(sessions).set({ revokedAt: now.getTime() })
      .where(and(eq(sessions.id, ctx.session.id), isNull(sessions.revokedAt))),
    auditInsert(db, {
      event: "delegation.end",
      outcome: "success",
      userId: adminId,
      username: admin?.username ?? null,
      ...meta,
      detail: {
        acting_as: ctx.user.id,
        acting_as_username: ctx.user.username,
        session: ctx.session.id,
      },
    }, now),
  ]);
  const own = ctx.session.delegatorSessionId
    ? await db.query.sessions.findFirst({
      where: and(
        eq(sessions.id, ctx.session.delegatorSessionId),
        isNull(sessions.revokedAt),
        gt(sessions.expiresAt, now.getTime()),
      ),
    })
    : undefined;
  if (!own || !admin || admin.disabled) return { ok: true, back: null };
  const expiresAt = new Date(own.expiresAt);
  return {
    ok: true,
    back: {
      token: await issueSessionToken(deps, { id: own.id, userId: own.userId, expiresAt }, now),
      expiresAt,
    },
  };
}
