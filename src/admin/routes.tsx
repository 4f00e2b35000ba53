/** @module Administration over HTTP: `/api/v1/admin/...` (the console grows here). */
import { Hono } from "hono";
import { eq } from "drizzle-orm";
import { auditInsert } from "../audit/repo.ts";
import { users } from "../db/schema.ts";
import type { Deps } from "../deps.ts";
import { requestMeta } from "../http/client.ts";
import { jsonFailure } from "../http/respond.ts";
import { fail } from "../lib/errors.ts";
import { adminApiSession } from "./guard.ts";

export function adminRoutes(deps: Deps): Hono {
  const app = new Hono();
  const { db, config } = deps;

  /** Lifts the password lock and the second-factor lock of a user. */
  app.post("/api/v1/admin/users/:id/unlock", async (c) => {
    const s = await adminApiSession(c, deps);
    if (!s.ok) return jsonFailure(c, s);
    const now = deps.clock.now();
    const [rows] = await db.batch([
      db.update(users).set({
        passwordFailures: 0,
        passwordWindowStart: null,
        passwordLockedUntil: null,
        secondFactorFailures: 0,
        secondFactorLockedUntil: null,
      }).where(eq(users.id, c.req.param("id"))).returning({
        id: users.id,
        username: users.username,
      }),
      auditInsert(db, {
        event: "admin.unlock",
        outcome: "success",
        userId: c.req.param("id"),
        ...requestMeta(c, config),
        detail: { admin: s.ctx.user.username },
      }, now),
    ]);
    if (rows.length !== 1) return jsonFailure(c, fail("not_found"));
    return c.body(null, 204);
  });

  return app;
}
