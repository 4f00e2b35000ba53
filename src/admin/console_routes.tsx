/**
 * @module The admin console in HTML (`/admin/...`): a thin router over ./service.ts, the same
 * calls as the JSON API in ./routes.tsx. Only admins in a full session with a second factor get
 * in. Every action on a user is confirmed on its own page first (GET .../confirm?action=), a
 * policy change is previewed before it is saved, and every POST carries the CSRF token that the
 * app's middleware checks.
 */
import { myKeys } from "../webauthn/service.ts";
import { type Context, Hono } from "hono";
import { z } from "zod";
import { myAuthenticators } from "../account/service.ts";
import { acknowledgeAlert, openAlerts } from "../alerts/service.ts";
import type { Deps } from "../deps.ts";
import { csrfToken } from "../http/csrf.ts";
import { csvFile, messageOf, statusOf } from "../http/respond.ts";
import { formRecord } from "../http/validate.ts";
import { DAY } from "../lib/clock.ts";
import type { Failure } from "../lib/errors.ts";
import { type PasswordPolicy, passwordPolicySchema } from "../passwords/policy.ts";
import { passwordPolicy } from "../passwords/service.ts";
import { type LoginPolicy, loginPolicySchema } from "../policy/policy.ts";
import { loadPolicy } from "../policy/repo.ts";
import type { SessionContext } from "../sessions/service.ts";
import type { FormErrors, FormValues } from "../views/components.tsx";
import { AuditPage } from "./audit_page.tsx";
import { DashboardPage } from "./dashboard_page.tsx";
import { PolicyPage, PolicyPreviewPage } from "./policy_pages.tsx";
import {
  ConfirmPage,
  ResetDonePage,
  USER_ACTIONS,
  type UserAction,
  UserPage,
} from "./user_pages.tsx";
import { NewUserPage, UsersPage } from "./users_pages.tsx";
import { notFoundPage } from "../views/errors.tsx";
import { adminCallers, formPage } from "./console_guard.tsx";
import { isUserStep, USER_STEPS, type UserStepName } from "./user_steps.ts";
import {
  auditCsv,
  type AuditFilter,
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
  twofaStatusCounts,
  updateUserByAdmin,
  userDevices,
  userForAdmin,
} from "./service.ts";

const PAGE_SIZE = 50;
const AUDIT_PAGE_LIMIT = 500;
const AUDIT_CSV_LIMIT = 10_000;
const EMERGENCY_DAYS = 30;

/** Fixed notices for `?notice=`: a query parameter never puts its own text on the page. */
const NOTICES: Record<string, string> = {
  security_key_removed: "Security key removed. Their pending sign-ins ended.",
  alert_acknowledged: "Alert acknowledged.",
  policy_saved: "The 2FA policy is saved.",
  password_policy_saved: "The password policy is saved.",
  user_created: "User created.",
  required: "2FA is now required for this user.",
  unrequired: "An admin no longer requires 2FA for this user; the policy still applies.",
  twofa_disabled: "2FA is off for this user, and their sessions ended.",
  unlocked: "The user is unlocked.",
  sessions_ended: "All sessions of this user ended.",
  grace_extended: "The grace period is extended.",
  disabled: "The account is disabled, and its sessions ended.",
  enabled: "The account is enabled.",
  updated: "Roles and groups are saved.",
  device_revoked: "The trusted device is revoked.",
};

/** The notice after each one-step action (./user_steps.ts). */
const STEP_NOTICES = {
  "require-2fa": "required",
  "unrequire-2fa": "unrequired",
  "disable-2fa": "twofa_disabled",
  unlock: "unlocked",
  "end-sessions": "sessions_ended",
  disable: "disabled",
  enable: "enabled",
} satisfies Record<UserStepName, keyof typeof NOTICES>;

const nameList = z.array(z.string().max(64, "Use at most 64 characters per name."))
  .max(50, "Use at most 50 names.");
/** Names separated by commas (or lines). */
const splitNames = (s: string | undefined) =>
  (s ?? "").split(/[,\n]/).map((n) => n.trim()).filter(Boolean);
/** CIDR ranges one per line; they contain no spaces or commas, so those separate too. */
const splitRanges = (s: string | undefined) => (s ?? "").split(/[\s,]+/).filter(Boolean);
/** A number field: empty is not a number (the schema's default must not fill it silently). */
const num = (s: string | undefined) => (s === undefined || s.trim() === "" ? NaN : Number(s));
const checked = (s: string | undefined) => s === "on" || s === "true" || s === "1";

const createForm = z.object({
  username: z.string().trim().min(1, "Enter a username.").max(64, "Use at most 64 characters."),
  password: z.string().max(1024, "Use at most 1024 characters."),
  roles: nameList,
  groups: nameList,
  email: z.union([z.literal(""), z.email("Enter an email address like name@example.com.")]),
  service_account: z.boolean(),
}).refine((b) => b.service_account || b.password.length > 0, {
  message: "Enter an initial password.",
  path: ["password"],
});

const listQuery = z.object({
  q: z.string().max(128).optional(),
  status: z.enum(STATUS_FILTERS).optional(),
  page: z.coerce.number().int().min(1).max(100_000).default(1),
});

const daysField = z.coerce.number().int().min(1).max(365);

type Issue = { path: readonly PropertyKey[]; message: string };

/** The first message per top-level field. */
function firstErrors(issues: readonly Issue[], prefix = ""): FormErrors {
  const out: FormErrors = {};
  for (const i of issues) out[prefix + String(i.path[0] ?? "_form")] ??= i.message;
  return out;
}

// ---- the policy form <-> LoginPolicy ----

const POLICY_KEYS = Object.keys(loginPolicySchema.shape) as (keyof LoginPolicy)[];
const NAME_LISTS = [
  "requiredRoles",
  "requiredGroups",
  "exemptGroups",
  "exemptRoles",
  "mayEnrollRoles",
  "mayEnrollGroups",
] as const;
const RANGE_LISTS = ["networkRequire", "networkSkip"] as const;
const FLAGS = ["adminsAlways", "recoveryCodesEnabled", "trustedDevicesEnabled"] as const;
const NUMBERS = [
  "graceDays",
  "trustedDeviceDays",
  "totpDigits",
  "totpPeriod",
  "totpWindow",
  "alertThreshold",
  "alertWindowMinutes",
] as const;

function policyInput(form: Record<string, string>): Record<string, unknown> {
  const input: Record<string, unknown> = {
    mode: form.mode,
    totpAlgorithm: form.totpAlgorithm,
  };
  for (const k of NAME_LISTS) input[k] = splitNames(form[k]);
  for (const k of RANGE_LISTS) input[k] = splitRanges(form[k]);
  for (const k of FLAGS) input[k] = checked(form[k]);
  for (const k of NUMBERS) input[k] = num(form[k]);
  // ---- webauthn (issue 19): the policy's own object; a form without its fields (the select
  // is always posted by the page) leaves it at its defaults ----
  if (form.webauthnFallback !== undefined) {
    input.webauthn = {
      secondFactor: checked(form.webauthnSecondFactor),
      passkeySignIn: checked(form.webauthnPasskeySignIn),
      fallback: form.webauthnFallback,
    };
  }
  return input;
}

/** The form's values for a policy; `hidden` puts ranges on one line for hidden inputs. */
function policyValues(p: LoginPolicy, hidden = false): FormValues {
  const v: FormValues = { mode: p.mode, totpAlgorithm: p.totpAlgorithm };
  for (const k of NAME_LISTS) v[k] = p[k].join(", ");
  for (const k of RANGE_LISTS) v[k] = p[k].join(hidden ? ", " : "\n");
  for (const k of FLAGS) v[k] = p[k] ? "on" : "";
  for (const k of NUMBERS) v[k] = String(p[k]);
  v.webauthnSecondFactor = p.webauthn.secondFactor ? "on" : "";
  v.webauthnPasskeySignIn = p.webauthn.passkeySignIn ? "on" : "";
  v.webauthnFallback = p.webauthn.fallback;
  return v;
}

const rawValues = (form: Record<string, string>, keys: readonly string[]): FormValues =>
  Object.fromEntries(keys.map((k) => [k, form[k]]));

/** Messages a person can act on, per field, from the schema's issues. */
function policyErrors(issues: readonly Issue[], input: Record<string, unknown>): FormErrors {
  const out: FormErrors = {};
  for (const issue of issues) {
    const i = issue as Issue & {
      code?: string;
      origin?: string;
      expected?: string;
      minimum?: unknown;
      maximum?: unknown;
    };
    const field = String(i.path[0] ?? "_form");
    const numeric = i.origin === "number" ||
      (i.code === "invalid_type" && (i.expected === "number" || i.expected === "int"));
    let message = i.message;
    if (i.path.length > 1) {
      const item = (input[field] as unknown[])[Number(i.path[1])];
      message = i.code === "custom"
        ? `"${item}" is not a CIDR range (like 10.0.0.0/8).`
        : `"${item}": ${i.message}`;
    } else if (numeric) {
      message = i.code === "too_small"
        ? `Use ${i.minimum} or more.`
        : i.code === "too_big"
        ? `Use ${i.maximum} or less.`
        : "Enter a whole number.";
    } else if (i.code === "too_big") {
      message = `Use at most ${i.maximum} entries.`;
    }
    out[field] ??= message;
  }
  return out;
}

const passwordValues = (p: PasswordPolicy): FormValues => ({
  minLength: String(p.minLength),
  minClasses: String(p.minClasses),
  forbidUsername: p.forbidUsername ? "on" : "",
  forbidCommon: p.forbidCommon ? "on" : "",
  maxAgeDays: String(p.maxAgeDays),
  historyCount: String(p.historyCount),
});

// ---- audit filters ----

const LOCAL_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{3})?)?$/;

/** The audit filters of a query: datetime-local values are read as UTC. */
function auditFilters(query: Record<string, string>) {
  const filters: FormValues = {};
  const errors: FormErrors = {};
  const filter: Omit<AuditFilter, "limit"> = {};
  const user = query.user?.trim();
  if (user) {
    filters.user = user;
    if (user.length > 128) errors.user = "Use at most 128 characters.";
    else filter.user = user;
  }
  const event = query.event?.trim();
  if (event) {
    filters.event = event;
    if (event.length > 64) errors.event = "Use at most 64 characters.";
    else filter.event = event;
  }
  for (const key of ["from", "to"] as const) {
    const v = query[key]?.trim();
    if (!v) continue;
    filters[key] = v;
    const ms = LOCAL_TIME.test(v) ? Date.parse(`${v}Z`) : NaN;
    if (Number.isNaN(ms)) {
      errors[key] = "Enter a date and time like 2026-11-22T12:00.";
      continue;
    }
    // "To 12:00" means up to the end of that minute.
    filter[key] = key === "to" && v.length === 16 ? ms + 59_999 : ms;
  }
  const search = new URLSearchParams(
    Object.entries(filters).filter((e): e is [string, string] => !!e[1]),
  ).toString();
  return { filters, errors, filter, search, ok: Object.keys(errors).length === 0 };
}

export function adminPages(deps: Deps): Hono {
  const app = new Hono();
  const { config } = deps;

  /** Admins with a second factor only: others see a 403 page, strangers go to the login. */
  const { page: admin, who } = adminCallers(deps);

  const page = (c: Context, status: number, body: ReturnType<typeof notFoundPage>) => {
    c.status(status as 200);
    return c.html(body);
  };
  const notFound = (c: Context) => page(c, 404, notFoundPage());
  const notice = (c: Context) => NOTICES[c.req.query("notice") ?? ""];

  // ---- dashboard and alerts ----

  const renderDashboard = async (
    c: Context,
    extra: { notice?: string; error?: string; status?: number } = {},
  ) => {
    const now = deps.clock.now().getTime();
    return page(
      c,
      extra.status ?? 200,
      <DashboardPage
        csrf={await csrfToken(c, deps)}
        alerts={await openAlerts(deps)}
        counts={await twofaStatusCounts(deps)}
        emergencies={await queryAudit(deps, {
          event: "emergency.bypass",
          from: now - EMERGENCY_DAYS * DAY,
          limit: 20,
        })}
        notice={extra.notice}
        error={extra.error}
      />,
    );
  };

  formPage(app, admin, "/admin", {
    render: renderDashboard,
    notices: notice,
    action: "/admin/alerts/:id/ack",
    post: async (c, ctx) => {
      if (await acknowledgeAlert(deps, c.req.param("id")!, ctx.user.id)) {
        return c.redirect("/admin?notice=alert_acknowledged", 303);
      }
      return await renderDashboard(c, {
        error: "That alert does not exist or was already acknowledged.",
        status: 404,
      });
    },
  });

  // ---- users ----

  app.get(
    "/admin/users",
    admin(async (c) => {
      const parsed = listQuery.safeParse({
        q: c.req.query("q")?.trim() || undefined,
        status: c.req.query("status") || undefined,
        page: c.req.query("page") || undefined,
      });
      const input = parsed.success ? parsed.data : { page: 1 };
      const r = await listUsersForAdmin(deps, { ...input, pageSize: PAGE_SIZE });
      return page(
        c,
        parsed.success ? 200 : 400,
        <UsersPage
          csrf={await csrfToken(c, deps)}
          users={r.users}
          total={r.total}
          page={input.page}
          pageSize={PAGE_SIZE}
          q={parsed.success ? parsed.data.q : undefined}
          status={parsed.success ? parsed.data.status : undefined}
          error={parsed.success ? undefined : "That filter is not valid; showing every user."}
        />,
      );
    }),
  );

  app.get(
    "/admin/users/new",
    admin(async (c) =>
      c.html(<NewUserPage csrf={await csrfToken(c, deps)} values={{}} errors={{}} />)
    ),
  );

  app.post(
    "/admin/users/new",
    admin(async (c, ctx) => {
      const form = await formRecord(c);
      const values = rawValues(form, ["username", "roles", "groups", "email", "service_account"]);
      const rerender = async (errors: FormErrors) =>
        page(
          c,
          400,
          <NewUserPage csrf={await csrfToken(c, deps)} values={values} errors={errors} />,
        );
      const parsed = createForm.safeParse({
        username: form.username ?? "",
        password: form.password ?? "",
        roles: splitNames(form.roles),
        groups: splitNames(form.groups),
        email: form.email?.trim() ?? "",
        service_account: checked(form.service_account),
      });
      if (!parsed.success) return await rerender(firstErrors(parsed.error.issues));
      const b = parsed.data;
      const r = await createUserByAdmin(deps, who(c, ctx), {
        username: b.username,
        password: b.password,
        roles: b.roles,
        groups: b.groups,
        email: b.email || undefined,
        service: b.service_account,
      });
      if (!r.ok) return await rerender({ [r.field]: r.message });
      return c.redirect(`/admin/users/${r.user.id}?notice=user_created`, 303);
    }),
  );

  const renderUser = async (
    c: Context,
    ctx: SessionContext,
    id: string,
    extra: {
      notice?: string;
      error?: string;
      status?: number;
      editValues?: FormValues;
      editErrors?: FormErrors;
    } = {},
  ) => {
    const view = await userForAdmin(deps, id);
    if (!view) return notFound(c);
    return page(
      c,
      extra.status ?? 200,
      <UserPage
        csrf={await csrfToken(c, deps)}
        view={view}
        // Labels, use and clock drift only: the rows carry the encrypted secret, which stays here.
        authenticators={(await myAuthenticators(deps, id)).map((a) => ({
          id: a.id,
          label: a.label,
          createdAt: a.createdAt,
          lastUsedAt: a.lastUsedAt,
          drift: a.drift,
        }))}
        devices={await userDevices(deps, id)}
        securityKeys={await myKeys(deps, id)}
        now={deps.clock.now().getTime()}
        isSelf={id === ctx.user.id}
        canDelegate={config.DELEGATION_ENABLED && id !== ctx.user.id &&
          !view.roles.includes("admin") && !view.user.isService && !view.user.disabled}
        {...extra}
      />,
    );
  };

  /** The service's refusal, on the user's page. */
  const refused = (c: Context, ctx: SessionContext, id: string, r: Failure) =>
    renderUser(c, ctx, id, { error: messageOf(r.code), status: statusOf(r.code) });

  /** After an action: back to the user with a fixed notice, or the refusal on their page. */
  const after = (
    c: Context,
    ctx: SessionContext,
    id: string,
    r: { ok: true } | Failure,
    key: keyof typeof NOTICES,
  ) =>
    r.ok
      ? c.redirect(`/admin/users/${encodeURIComponent(id)}?notice=${key}`, 303)
      : refused(c, ctx, id, r);

  /** Roles and groups of the edit form, checked. */
  const editInput = (values: FormValues) => {
    const roles = nameList.safeParse(splitNames(values.roles));
    const groups = nameList.safeParse(splitNames(values.groups));
    if (roles.success && groups.success) {
      return { ok: true as const, roles: roles.data, groups: groups.data };
    }
    return {
      ok: false as const,
      errors: {
        "edit-roles": roles.error?.issues[0]?.message,
        "edit-groups": groups.error?.issues[0]?.message,
      },
    };
  };

  app.get(
    "/admin/users/:id",
    admin((c, ctx) => renderUser(c, ctx, c.req.param("id")!, { notice: notice(c) })),
  );

  const isAction = (a: string | undefined): a is UserAction =>
    (USER_ACTIONS as readonly string[]).includes(a ?? "");

  app.get(
    "/admin/users/:id/confirm",
    admin(async (c, ctx) => {
      const id = c.req.param("id")!;
      const action = c.req.query("action");
      if (!isAction(action)) return notFound(c);
      const view = await userForAdmin(deps, id);
      if (!view) return notFound(c);
      const props = { csrf: await csrfToken(c, deps), view, action };
      if (action === "revoke-device") {
        const device = (await userDevices(deps, id)).find((d) => d.id === c.req.query("device"));
        return device ? c.html(<ConfirmPage {...props} device={device} />) : notFound(c);
      }
      if (action === "edit") {
        const values = { roles: c.req.query("roles"), groups: c.req.query("groups") };
        const edit = editInput(values);
        if (!edit.ok) {
          return await renderUser(c, ctx, id, {
            status: 400,
            editValues: values,
            editErrors: edit.errors,
          });
        }
        return c.html(<ConfirmPage {...props} edit={edit} />);
      }
      return c.html(
        <ConfirmPage
          {...props}
          mode={c.req.query("mode") === "plain" ? "plain" : "pass"}
          days={c.req.query("days")}
        />,
      );
    }),
  );

  app.post(
    "/admin/users/:id/:action",
    admin(async (c, ctx) => {
      const id = c.req.param("id")!;
      const action = c.req.param("action");
      if (!isAction(action)) return notFound(c);
      const form = await formRecord(c);
      const by = who(c, ctx);
      if (isUserStep(action)) {
        return await after(
          c,
          ctx,
          id,
          await USER_STEPS[action](deps, by, id),
          STEP_NOTICES[action],
        );
      }
      switch (action) {
        case "reset-2fa": {
          const r = await resetTwofa(deps, by, id, form.mode === "plain" ? "plain" : "pass");
          if (!r.ok) return await refused(c, ctx, id, r);
          const view = await userForAdmin(deps, id);
          if (!view) return notFound(c);
          // The pass exists only in this response: it is stored as a hash.
          return c.html(
            <ResetDonePage
              csrf={await csrfToken(c, deps)}
              view={view}
              pass={r.pass}
              expiresAt={r.expiresAt}
            />,
          );
        }
        case "extend-grace": {
          const days = daysField.safeParse(form.days);
          if (!days.success) {
            const view = await userForAdmin(deps, id);
            if (!view) return notFound(c);
            return page(
              c,
              400,
              <ConfirmPage
                csrf={await csrfToken(c, deps)}
                view={view}
                action={action}
                days={form.days}
                errors={{ days: "Enter a whole number of days from 1 to 365." }}
              />,
            );
          }
          return await after(
            c,
            ctx,
            id,
            await extendGrace(deps, by, id, days.data),
            "grace_extended",
          );
        }
        case "edit": {
          const values = { roles: form.roles ?? "", groups: form.groups ?? "" };
          const edit = editInput(values);
          if (!edit.ok) {
            return await renderUser(c, ctx, id, {
              status: 400,
              editValues: values,
              editErrors: edit.errors,
            });
          }
          const r = await updateUserByAdmin(deps, by, id, {
            roles: edit.roles,
            groups: edit.groups,
          });
          return await after(c, ctx, id, r, "updated");
        }
        case "revoke-device":
          return await after(
            c,
            ctx,
            id,
            await revokeUserDevice(deps, by, id, form.device ?? ""),
            "device_revoked",
          );
      }
    }),
  );

  // ---- policy ----

  const renderPolicy = async (
    c: Context,
    extra: {
      values?: FormValues;
      errors?: FormErrors;
      passwordValues?: FormValues;
      passwordErrors?: FormErrors;
      status?: number;
      notice?: string;
    } = {},
  ) =>
    page(
      c,
      extra.status ?? 200,
      <PolicyPage
        csrf={await csrfToken(c, deps)}
        values={extra.values ?? policyValues(await loadPolicy(deps.db))}
        errors={extra.errors ?? {}}
        passwordValues={extra.passwordValues ?? passwordValues(await passwordPolicy(deps))}
        passwordErrors={extra.passwordErrors ?? {}}
        notice={extra.notice}
      />,
    );

  /** The form first previews; the preview's "Save" posts the same values with confirm=1. */
  formPage(app, admin, "/admin/policy", {
    render: renderPolicy,
    notices: notice,
    post: async (c, ctx, form) => {
      const input = policyInput(form);
      const parsed = loginPolicySchema.safeParse(input);
      if (!parsed.success) {
        return await renderPolicy(c, {
          values: rawValues(form, POLICY_KEYS),
          errors: policyErrors(parsed.error.issues, input),
          status: 400,
        });
      }
      if (form.edit) return await renderPolicy(c, { values: policyValues(parsed.data) });
      const previous = await loadPolicy(deps.db);
      if (form.confirm === "1") {
        await savePolicy(deps, who(c, ctx), parsed.data, previous);
        return c.redirect("/admin/policy?notice=policy_saved", 303);
      }
      const preview = await previewPolicy(deps, parsed.data);
      return c.html(
        <PolicyPreviewPage
          csrf={await csrfToken(c, deps)}
          values={policyValues(parsed.data, true)}
          before={previous}
          after={parsed.data}
          wouldBlock={preview.wouldBlock}
        />,
      );
    },
  });

  app.post(
    "/admin/password-policy",
    admin(async (c, ctx) => {
      const form = await formRecord(c);
      const parsed = passwordPolicySchema.safeParse({
        minLength: num(form.minLength),
        minClasses: num(form.minClasses),
        forbidUsername: checked(form.forbidUsername),
        forbidCommon: checked(form.forbidCommon),
        // Left out of the form (an older page): the defaults.
        maxAgeDays: form.maxAgeDays === undefined ? undefined : num(form.maxAgeDays),
        historyCount: form.historyCount === undefined ? undefined : num(form.historyCount),
      });
      if (!parsed.success) {
        return await renderPolicy(c, {
          passwordValues: rawValues(form, [
            "minLength",
            "minClasses",
            "forbidUsername",
            "forbidCommon",
            "maxAgeDays",
            "historyCount",
          ]),
          passwordErrors: policyErrors(parsed.error.issues, {}),
          status: 400,
        });
      }
      await savePasswordPolicy(deps, who(c, ctx), parsed.data);
      return c.redirect("/admin/policy?notice=password_policy_saved", 303);
    }),
  );

  // ---- audit and reports ----

  app.get(
    "/admin/audit",
    admin(async (c) => {
      const f = auditFilters(c.req.query());
      const rows = f.ok ? await queryAudit(deps, { ...f.filter, limit: AUDIT_PAGE_LIMIT }) : [];
      return page(
        c,
        f.ok ? 200 : 400,
        <AuditPage
          csrf={await csrfToken(c, deps)}
          filters={f.filters}
          errors={f.errors}
          rows={rows}
          limit={AUDIT_PAGE_LIMIT}
          csvHref={f.search ? `/admin/audit.csv?${f.search}` : "/admin/audit.csv"}
        />,
      );
    }),
  );

  app.get(
    "/admin/audit.csv",
    admin(async (c) => {
      const f = auditFilters(c.req.query());
      if (!f.ok) {
        c.status(400);
        return c.text(Object.values(f.errors).join("\n"));
      }
      const rows = await queryAudit(deps, { ...f.filter, limit: AUDIT_CSV_LIMIT });
      return csvFile(c, "twofold-audit.csv", auditCsv(rows));
    }),
  );

  app.get(
    "/admin/compliance.csv",
    admin(async (c) => csvFile(c, "twofold-2fa-compliance.csv", await complianceCsv(deps))),
  );

  return app;
}
