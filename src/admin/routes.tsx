/**
 * @module Administration over JSON: `/api/v1/admin/...`. Only admins in a full session with a
 * second factor get in; API keys, pending tokens and non-admins are refused on every route.
 */
import { type Context, Hono } from "hono";
import { z } from "zod";
import { myAuthenticators } from "../account/service.ts";
import { acknowledgeAlert, openAlerts } from "../alerts/service.ts";
import type { Deps } from "../deps.ts";
import { withBody } from "../caller/resolve.ts";
import {
  csvFile,
  errorBody,
  fieldErrors,
  type IssueList,
  jsonDone,
  jsonFailure,
} from "../http/respond.ts";
import { type ErrorCode, fail } from "../lib/errors.ts";
import { passwordPolicy } from "../passwords/service.ts";
import { passwordPolicyInput } from "../passwords/policy.ts";
import { loginPolicySchema } from "../policy/policy.ts";
import { loadPolicy } from "../policy/repo.ts";
import type { OperationDoc } from "../openapi/describe.ts";
import {
  adminUserDetailResponse,
  adminUserResponse,
  adminUsersResponse,
  alertsResponse,
  auditResponse,
  graceResponse,
  passwordPolicyResponse,
  policyPreviewResponse,
  policyResponse,
  policySavedResponse,
  resetTwofaResponse,
  userDevicesResponse,
} from "../openapi/schemas.ts";
import { adminCallers, adminDoc } from "./console_guard.tsx";
import { USER_STEPS, type UserStepName } from "./user_steps.ts";
import {
  auditCsv,
  complianceCsv,
  createUserByAdmin,
  extendGrace,
  listUsersForAdmin,
  previewPolicy,
  queryAudit,
  resetTwofa,
  revokeUserDevice,
  savePasswordPolicy,
  savePolicy,
  STATUS_FILTERS,
  updateUserByAdmin,
  userDevices,
  userForAdmin,
  userJson,
} from "./service.ts";

/** The login policy as an admin sends it: unknown fields are refused, not dropped. */
const loginPolicyInput = loginPolicySchema.strict();

const names = z.array(z.string().trim().min(1).max(64)).max(50);
const createBody = z.object({
  username: z.string().trim().min(1).max(64),
  password: z.string().max(1024).default(""),
  roles: names.default([]),
  groups: names.default([]),
  email: z.email().optional(),
  service_account: z.boolean().default(false),
}).refine((b) => b.service_account || b.password.length > 0, {
  message: "Required unless service_account.",
  path: ["password"],
});
const updateBody = z.object({
  roles: names.optional(),
  groups: names.optional(),
  email: z.email().nullable().optional(),
  disabled: z.boolean().optional(),
}).strict();
const resetBody = z.object({ mode: z.enum(["pass", "plain"]).default("pass") });
const graceBody = z.object({ days: z.number().int().min(1).max(365) });
const listQuery = z.object({
  q: z.string().max(128).optional(),
  status: z.enum(STATUS_FILTERS).optional(),
  page: z.coerce.number().int().min(1).max(100_000).default(1),
  page_size: z.coerce.number().int().min(1).max(500).default(50),
});
export const auditQuery = z.object({
  user: z.string().max(128).optional(),
  event: z.string().max(64).optional(),
  from: z.iso.datetime({ offset: true }).optional(),
  to: z.iso.datetime({ offset: true }).optional(),
  limit: z.coerce.number().int().min(1).max(10_000).default(500),
  format: z.enum(["json", "csv"]).default("json"),
});

const USER_ID = { id: "The user's id." };

/** An operation on the user `:id`: a user that does not exist is `not_found`. */
const onUser = (d: Omit<OperationDoc, "tag" | "auth">) =>
  adminDoc({ params: USER_ID, ...d, errors: ["not_found", ...(d.errors ?? [])] });

/** A one-step action on the user `:id` (see ./user_steps.ts): 204 once `done`. */
const userStep = (summary: string, done: string, errors: ErrorCode[] = []) =>
  onUser({ summary, success: { status: 204, description: done }, errors });

/** GET and PUT of a stored policy (`name` as the summaries say it). */
const policyDocs = (name: string, input: z.ZodType, json: z.ZodType, saved = json) => ({
  get: adminDoc({
    summary: `The ${name}`,
    success: { status: 200, description: "The policy.", json },
  }),
  put: adminDoc({
    summary: `Replace the ${name} (omitted fields take their defaults)`,
    body: input,
    success: { status: 200, description: "The saved policy.", json: saved },
  }),
});
const loginPolicyDocs = policyDocs(
  "2FA policy",
  loginPolicyInput,
  policyResponse,
  policySavedResponse,
);
const passwordPolicyDocs = policyDocs(
  "password policy",
  passwordPolicyInput,
  passwordPolicyResponse,
);

/**
 * The JSON routes in the OpenAPI document. Bodies validated by `jsonBody` come from there; the
 * policy routes parse theirs after the admin check, so their schemas are named here.
 */
const doc = {
  listUsers: adminDoc({
    summary: "Users and their 2FA status, filtered and paged",
    query: listQuery,
    success: { status: 200, description: "One page of users.", json: adminUsersResponse },
  }),
  createUser: adminDoc({
    summary: "Create a user (or a service account without a password)",
    success: { status: 201, description: "Created.", json: adminUserResponse },
  }),
  getUser: onUser({
    summary: "One user, with their authenticators",
    success: { status: 200, description: "The user.", json: adminUserDetailResponse },
  }),
  updateUser: onUser({
    summary: "Change a user's roles, groups, email or disabled flag (other fields are refused)",
    success: { status: 200, description: "The updated user.", json: adminUserResponse },
    errors: ["forbidden"],
  }),
  require2fa: userStep("Require 2FA for this user, whatever the policy says", "Required."),
  unrequire2fa: userStep(
    "Drop the explicit 2FA requirement (the policy still applies)",
    "Dropped.",
  ),
  reset2fa: onUser({
    summary: "Reset a user's 2FA: authenticators, recovery codes and trusted devices go",
    description: "All the user's sessions end. In pass mode (the default) the user needs the " +
      "returned enrollment pass and the password to enroll again, within 24 hours.",
    success: { status: 200, description: "Reset.", json: resetTwofaResponse },
  }),
  disable2fa: userStep("Turn a user's 2FA off, where policy allows it", "Off.", [
    "policy_requires_2fa",
  ]),
  unlock: userStep("Lift a user's password lock and second-factor lock", "Unlocked."),
  endSessions: userStep("End every session of a user", "Ended."),
  extendGrace: onUser({
    summary: "Give a user more days to enroll",
    success: { status: 200, description: "The new deadline.", json: graceResponse },
  }),
  userDevices: onUser({
    summary: "A user's trusted devices",
    success: { status: 200, description: "The list.", json: userDevicesResponse },
  }),
  revokeUserDevice: onUser({
    summary: "Forget one of a user's trusted devices",
    params: { ...USER_ID, device: "The trusted device's id." },
    success: { status: 204, description: "Revoked." },
  }),
  getPolicy: loginPolicyDocs.get,
  previewPolicy: adminDoc({
    summary: "Who a policy would make enroll at their next login, without saving it",
    body: loginPolicyInput,
    success: { status: 200, description: "The preview.", json: policyPreviewResponse },
  }),
  putPolicy: loginPolicyDocs.put,
  getPasswordPolicy: passwordPolicyDocs.get,
  putPasswordPolicy: passwordPolicyDocs.put,
  audit: adminDoc({
    summary: "The audit log, newest first, as JSON or CSV",
    query: auditQuery,
    success: {
      status: 200,
      description: "The events (CSV with format=csv).",
      json: auditResponse,
      media: ["text/csv"],
    },
  }),
  compliance: adminDoc({
    summary: "The 2FA status of every user, as CSV",
    success: { status: 200, description: "A CSV file.", media: ["text/csv"] },
  }),
  alerts: adminDoc({
    summary: "Open security alerts",
    success: { status: 200, description: "The alerts.", json: alertsResponse },
  }),
  ackAlert: adminDoc({
    summary: "Acknowledge an alert",
    params: { id: "The alert's id." },
    success: { status: 204, description: "Acknowledged." },
    errors: ["not_found"],
  }),
};

export function adminRoutes(deps: Deps): Hono {
  const app = new Hono();
  const { db } = deps;

  const { api: admin, who } = adminCallers(deps);
  const invalid = (c: Context, error: IssueList) => {
    // Unknown fields are named one by one; problems of the whole input keep their "_query" key.
    const { _body, ...fields } = fieldErrors(error);
    return c.json(
      errorBody("validation_failed", _body ? { ...fields, _query: _body } : fields),
      400,
    );
  };

  app.get(
    "/api/v1/admin/users",
    doc.listUsers,
    admin(async (c) => {
      const q = listQuery.safeParse(c.req.query());
      if (!q.success) return invalid(c, q.error);
      const r = await listUsersForAdmin(deps, {
        q: q.data.q,
        status: q.data.status,
        page: q.data.page,
        pageSize: q.data.page_size,
      });
      const now = deps.clock.now();
      return c.json({
        users: r.users.map((u) => userJson(u, now)),
        total: r.total,
        page: q.data.page,
        page_size: q.data.page_size,
      });
    }),
  );

  app.post(
    "/api/v1/admin/users",
    doc.createUser,
    ...withBody(createBody.strict(), admin, async (c, ctx, body) => {
      const r = await createUserByAdmin(deps, who(c, ctx), {
        username: body.username,
        password: body.password,
        roles: body.roles,
        groups: body.groups,
        email: body.email,
        service: body.service_account,
      });
      if (!r.ok) return c.json(errorBody("validation_failed", { [r.field]: [r.message] }), 400);
      return c.json(
        { user: userJson((await userForAdmin(deps, r.user.id))!, deps.clock.now()) },
        201,
      );
    }),
  );

  app.get(
    "/api/v1/admin/users/:id",
    doc.getUser,
    admin(async (c) => {
      const v = await userForAdmin(deps, c.req.param("id")!);
      if (!v) return jsonFailure(c, fail("not_found"));
      const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());
      return c.json({
        user: userJson(v, deps.clock.now()),
        // Labels, use and clock drift only: never secrets.
        authenticators: (await myAuthenticators(deps, v.user.id)).map((a) => ({
          id: a.id,
          label: a.label,
          created_at: iso(a.createdAt),
          last_used_at: iso(a.lastUsedAt),
          clock_drift: a.drift,
        })),
      });
    }),
  );

  app.patch(
    "/api/v1/admin/users/:id",
    doc.updateUser,
    ...withBody(updateBody.strict(), admin, async (c, ctx, body) => {
      const r = await updateUserByAdmin(deps, who(c, ctx), c.req.param("id")!, body);
      if (!r.ok) return jsonFailure(c, r);
      return c.json({
        user: userJson((await userForAdmin(deps, c.req.param("id")!))!, deps.clock.now()),
      });
    }),
  );

  const user = "/api/v1/admin/users/:id";
  /** A one-step action on the user `:id`: 204 once done, else the refusal. */
  const step = (name: UserStepName) =>
    admin(async (c, ctx) =>
      jsonDone(c, await USER_STEPS[name](deps, who(c, ctx), c.req.param("id")!))
    );

  app.post(`${user}/require-2fa`, doc.require2fa, step("require-2fa"));
  app.delete(`${user}/require-2fa`, doc.unrequire2fa, step("unrequire-2fa"));

  app.post(
    "/api/v1/admin/users/:id/reset-2fa",
    doc.reset2fa,
    ...withBody(resetBody.strict(), admin, async (c, ctx, { mode }) => {
      const r = await resetTwofa(deps, who(c, ctx), c.req.param("id")!, mode);
      if (!r.ok) return jsonFailure(c, r);
      return c.json({
        mode,
        enrollment_pass: r.pass,
        enrollment_pass_expires_at: r.expiresAt ? new Date(r.expiresAt).toISOString() : null,
      });
    }),
  );

  app.post(`${user}/disable-2fa`, doc.disable2fa, step("disable-2fa"));
  /** Lifts the password lock and the second-factor lock of a user. */
  app.post(`${user}/unlock`, doc.unlock, step("unlock"));
  app.post(`${user}/end-sessions`, doc.endSessions, step("end-sessions"));

  app.post(
    "/api/v1/admin/users/:id/extend-grace",
    doc.extendGrace,
    ...withBody(graceBody.strict(), admin, async (c, ctx, { days }) => {
      const r = await extendGrace(deps, who(c, ctx), c.req.param("id")!, days);
      if (!r.ok) return jsonFailure(c, r);
      return c.json({ grace_until: new Date(r.until).toISOString() });
    }),
  );

  app.get(
    "/api/v1/admin/users/:id/trusted-devices",
    doc.userDevices,
    admin(async (c) => {
      if (!(await userForAdmin(deps, c.req.param("id")!))) return jsonFailure(c, fail("not_found"));
      const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());
      return c.json({
        trusted_devices: (await userDevices(deps, c.req.param("id")!)).map((d) => ({
          id: d.id,
          name: d.name,
          created_at: iso(d.createdAt),
          last_used_at: iso(d.lastUsedAt),
          expires_at: iso(d.expiresAt),
        })),
      });
    }),
  );

  app.delete(
    "/api/v1/admin/users/:id/trusted-devices/:device",
    doc.revokeUserDevice,
    admin(async (c, ctx) =>
      jsonDone(
        c,
        await revokeUserDevice(deps, who(c, ctx), c.req.param("id")!, c.req.param("device")!),
      )
    ),
  );

  // ---- policy ----

  app.get(
    "/api/v1/admin/policy",
    doc.getPolicy,
    admin(async (c) => c.json({ policy: await loadPolicy(db) })),
  );

  app.post(
    "/api/v1/admin/policy/preview",
    doc.previewPolicy,
    admin(async (c) => {
      const parsed = loginPolicyInput.safeParse(await c.req.json().catch(() => null));
      if (!parsed.success) return invalid(c, parsed.error);
      const r = await previewPolicy(deps, parsed.data);
      return c.json({ would_block: r.wouldBlock, count: r.wouldBlock.length });
    }),
  );

  app.put(
    "/api/v1/admin/policy",
    doc.putPolicy,
    admin(async (c, ctx) => {
      const parsed = loginPolicyInput.safeParse(await c.req.json().catch(() => null));
      if (!parsed.success) return invalid(c, parsed.error);
      const previous = await loadPolicy(db);
      await savePolicy(deps, who(c, ctx), parsed.data, previous);
      const preview = await previewPolicy(deps, parsed.data);
      return c.json({ policy: parsed.data, would_block: preview.wouldBlock });
    }),
  );

  app.get(
    "/api/v1/admin/password-policy",
    doc.getPasswordPolicy,
    admin(async (c) => c.json({ policy: await passwordPolicy(deps) })),
  );

  app.put(
    "/api/v1/admin/password-policy",
    doc.putPasswordPolicy,
    admin(async (c, ctx) => {
      const parsed = passwordPolicyInput.safeParse(await c.req.json().catch(() => null));
      if (!parsed.success) return invalid(c, parsed.error);
      await savePasswordPolicy(deps, who(c, ctx), parsed.data);
      return c.json({ policy: parsed.data });
    }),
  );

  // ---- audit, reports, alerts ----

  app.get(
    "/api/v1/admin/audit",
    doc.audit,
    admin(async (c) => {
      const q = auditQuery.safeParse(c.req.query());
      if (!q.success) return invalid(c, q.error);
      const rows = await queryAudit(deps, {
        user: q.data.user,
        event: q.data.event,
        from: q.data.from ? Date.parse(q.data.from) : undefined,
        to: q.data.to ? Date.parse(q.data.to) : undefined,
        limit: q.data.limit,
      });
      if (q.data.format === "csv") return csvFile(c, "twofold-audit.csv", auditCsv(rows));
      return c.json({
        events: rows.map((r) => ({
          id: r.id,
          at: new Date(r.at).toISOString(),
          event: r.event,
          outcome: r.outcome,
          user_id: r.userId,
          username: r.username,
          ip: r.ip,
          user_agent: r.userAgent,
          detail: JSON.parse(r.detail),
        })),
      });
    }),
  );

  app.get(
    "/api/v1/admin/reports/compliance.csv",
    doc.compliance,
    admin(async (c) => csvFile(c, "twofold-2fa-compliance.csv", await complianceCsv(deps))),
  );

  app.get(
    "/api/v1/admin/alerts",
    doc.alerts,
    admin(async (c) =>
      c.json({
        alerts: (await openAlerts(deps)).map((a) => ({
          id: a.id,
          at: new Date(a.at).toISOString(),
          kind: a.kind,
          username: a.username,
          detail: JSON.parse(a.detail),
        })),
      })
    ),
  );

  app.post(
    "/api/v1/admin/alerts/:id/ack",
    doc.ackAlert,
    admin(async (c, ctx) =>
      (await acknowledgeAlert(deps, c.req.param("id")!, ctx.user.id))
        ? c.body(null, 204)
        : jsonFailure(c, fail("not_found"))
    ),
  );

  return app;
}
