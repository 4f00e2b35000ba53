/** @module The admin console pages: dashboard, users, a user and its confirmed actions, policy, audit. */
import type { Child } from "hono/jsx";
import type { AdminUserView, StatusFilter } from "./service.ts";
import type { AlertRow } from "../alerts/service.ts";
import type { auditEvents } from "../db/schema.ts";
import type { TrustedDeviceRow } from "../devices/repo.ts";
import { localize, type MessageKey, t, tj, tp } from "../i18n/i18n.ts";
import type { Drift } from "../totp/drift.ts";
import { type LoginPolicy, loginPolicySchema } from "../policy/policy.ts";
import { when } from "../account/pages.tsx";
import { CopyButton, CsrfField, ErrorText, Layout, TableScroll } from "../views/layout.tsx";

export type AuditRow = typeof auditEvents.$inferSelect;
/** What admins see of an authenticator: never its secret. */
export type AuthenticatorSummary = {
  id: string;
  label: string;
  createdAt: number;
  lastUsedAt: number | null;
  drift: Drift;
};
/** Field name -> message, for re-rendered forms. */
export type FormErrors = Record<string, string | undefined>;
export type FormValues = Record<string, string | undefined>;

const STATUSES: StatusFilter[] = [
  "enrolled",
  "not_enrolled",
  "required_not_enrolled",
  "grace",
  "locked",
];

/** A 2FA status in the page's language. */
export const statusLabel = (status: StatusFilter) => t(`admin.status.${status}`);

/** The actions on one user; each is confirmed on GET .../confirm?action= and done by POST. */
export const USER_ACTIONS = [
  "require-2fa",
  "unrequire-2fa",
  "reset-2fa",
  "disable-2fa",
  "unlock",
  "end-sessions",
  "extend-grace",
  "disable",
  "enable",
  "edit",
  "revoke-device",
] as const;
export type UserAction = typeof USER_ACTIONS[number];

type Section = "dashboard" | "users" | "policy" | "audit";

function AdminNav(props: { current?: Section }) {
  const link = (section: Section, href: string, text: string) => (
    <a href={href} aria-current={props.current === section ? "page" : undefined}>{text}</a>
  );
  return (
    <nav class="admin" aria-label={t("admin.nav.label")}>
      {link("dashboard", "/admin", t("admin.nav.dashboard"))}
      {link("users", "/admin/users", t("admin.nav.users"))}
      {link("policy", "/admin/policy", t("admin.nav.policy"))}
      {link("audit", "/admin/audit", t("admin.nav.audit"))}
      <a href="/account">{t("admin.nav.account")}</a>
    </nav>
  );
}

function AdminLayout(props: {
  title: string;
  csrf: string;
  current?: Section;
  wide?: boolean;
  notice?: string;
  error?: string;
  languageBase?: string;
  script?: boolean;
  children: Child;
}) {
  return (
    <Layout
      title={props.title}
      signedIn
      csrf={props.csrf}
      wide={props.wide}
      nav={<AdminNav current={props.current} />}
      languageBase={props.languageBase}
      script={props.script}
    >
      {props.notice ? <p class="notice" role="status">{localize(props.notice)}</p> : null}
      {props.error
        ? <p class="error" role="alert" id="page-error">{localize(props.error)}</p>
        : null}
      {props.children}
    </Layout>
  );
}

/** Attributes that tie an input to its error message (or its hint). */
function described(errors: FormErrors, field: string, hint?: string) {
  return errors[field]
    ? { "aria-invalid": "true", "aria-describedby": `${field}-error` }
    : hint
    ? { "aria-describedby": hint }
    : {};
}

const usersHref = (status?: StatusFilter) =>
  status ? `/admin/users?status=${status}` : "/admin/users";

function detailText(json: string): string {
  try {
    const v = JSON.parse(json);
    return v && typeof v === "object" && Object.keys(v).length === 0 ? "" : JSON.stringify(v);
  } catch {
    return json;
  }
}

function detailOf(json: string): Record<string, unknown> {
  try {
    const v = JSON.parse(json);
    return v && typeof v === "object" ? v : {};
  } catch {
    return {};
  }
}

export function AdminForbiddenPage(props: { csrf: string }) {
  return (
    <Layout title={t("admin.forbidden.title")} signedIn csrf={props.csrf}>
      <p>{t("admin.forbidden.message")}</p>
      <p>
        <a href="/account">{t("common.back_to_account")}</a>
      </p>
    </Layout>
  );
}

// ---- dashboard ----

export function DashboardPage(props: {
  csrf: string;
  alerts: AlertRow[];
  counts: Record<StatusFilter, number> & { total: number };
  emergencies: AuditRow[];
  notice?: string;
  error?: string;
}) {
  const statuses: StatusFilter[] = [
    "enrolled",
    "grace",
    "required_not_enrolled",
    "not_enrolled",
    "locked",
  ];
  return (
    <AdminLayout
      title={t("admin.dashboard.title")}
      csrf={props.csrf}
      current="dashboard"
      wide
      notice={props.notice}
      error={props.error}
    >
      {props.emergencies.length
        ? (
          <section class="emergency" id="emergency-access" aria-labelledby="emergency-title">
            <h2 id="emergency-title">{t("admin.emergency.title")}</h2>
            <p>{t("admin.emergency.intro")}</p>
            <ul>
              {props.emergencies.map((e) => {
                const d = detailOf(e.detail);
                const params = {
                  when: <strong>{when(e.at)}</strong>,
                  user: <strong>{e.username ?? "?"}</strong>,
                };
                return (
                  <li>
                    {tj(
                      d.mode === "pass"
                        ? "admin.emergency.reset_pass"
                        : "admin.emergency.reset_plain",
                      params,
                    )}
                    {d.via ? ` ${t("admin.emergency.via", { via: String(d.via) })}` : ""}
                  </li>
                );
              })}
            </ul>
            <p>
              <a href="/admin/audit?event=emergency.">{t("admin.emergency.all")}</a>
            </p>
          </section>
        )
        : null}

      <h2>{t("admin.alerts.title")}</h2>
      {props.alerts.length === 0
        ? <p id="no-alerts">{t("admin.alerts.none")}</p>
        : (
          <TableScroll label={t("admin.alerts.title")}>
            <table id="alerts">
              <thead>
                <tr>
                  <th scope="col">{t("admin.col.when")}</th>
                  <th scope="col">{t("admin.col.user")}</th>
                  <th scope="col">{t("admin.col.what")}</th>
                  <th scope="col">{t("account.col.actions")}</th>
                </tr>
              </thead>
              <tbody>
                {props.alerts.map((a) => {
                  const d = detailOf(a.detail);
                  return (
                    <tr>
                      <td>{when(a.at)}</td>
                      <td>
                        {a.userId
                          ? <a href={`/admin/users/${a.userId}`}>{a.username ?? a.userId}</a>
                          : a.username}
                      </td>
                      <td>
                        {a.kind === "second_factor_failures"
                          ? t("admin.alerts.failures", {
                            failures: typeof d.failures === "number"
                              ? d.failures
                              : t("admin.alerts.several"),
                            minutes: typeof d.window_minutes === "number"
                              ? d.window_minutes
                              : t("admin.alerts.few"),
                          })
                          : a.kind}
                      </td>
                      <td>
                        <form method="post" action={`/admin/alerts/${a.id}/ack`} class="inline">
                          <CsrfField token={props.csrf} />
                          <button type="submit" class="small">{t("admin.alerts.ack")}</button>
                        </form>
                      </td>
                    </tr>
                  );
                })}
              </tbody>
            </table>
          </TableScroll>
        )}

      <h2>{t("admin.counts.title")}</h2>
      <table id="status-counts" class="compact">
        <thead>
          <tr>
            <th scope="col">{t("admin.col.status")}</th>
            <th scope="col">{t("admin.col.users")}</th>
          </tr>
        </thead>
        <tbody>
          {statuses.map((s) => (
            <tr>
              <th scope="row">
                <a href={usersHref(s)}>{statusLabel(s)}</a>
              </th>
              <td data-status={s}>{props.counts[s]}</td>
            </tr>
          ))}
          <tr>
            <th scope="row">
              <a href="/admin/users">{t("admin.counts.all")}</a>
            </th>
            <td data-status="total">{props.counts.total}</td>
          </tr>
        </tbody>
      </table>

      <h2>{t("admin.more.title")}</h2>
      <ul>
        <li>
          {tj("admin.more.users", {
            users: <a href="/admin/users">{t("admin.nav.users")}</a>,
            new: <a href="/admin/users/new">{t("admin.more.new_user")}</a>,
          })}
        </li>
        <li>
          <a href="/admin/policy">{t("admin.more.policy")}</a>
        </li>
        <li>
          <a href="/admin/audit">{t("admin.nav.audit")}</a>
        </li>
        <li>
          {tj("admin.more.compliance", {
            link: (
              <a href="/admin/compliance.csv" download>
                {t("admin.more.compliance_link")}
              </a>
            ),
          })}
        </li>
      </ul>
    </AdminLayout>
  );
}

// ---- users ----

function StatusCell(props: { view: AdminUserView }) {
  const v = props.view;
  return (
    <>
      {statusLabel(v.status)}
      {v.status === "grace" && v.graceDeadline
        ? (
          <span class="muted">
            {" "}
            {t("admin.users.until", { date: when(v.graceDeadline) })}
          </span>
        )
        : null}
    </>
  );
}

const list = (names: string[]) => (names.length ? names.join(", ") : "—");

export function UsersPage(props: {
  csrf: string;
  users: AdminUserView[];
  total: number;
  page: number;
  pageSize: number;
  q?: string;
  status?: StatusFilter;
  error?: string;
}) {
  const pages = Math.max(1, Math.ceil(props.total / props.pageSize));
  const pageHref = (page: number) => {
    const p = new URLSearchParams();
    if (props.q) p.set("q", props.q);
    if (props.status) p.set("status", props.status);
    if (page > 1) p.set("page", String(page));
    const s = p.toString();
    return s ? `/admin/users?${s}` : "/admin/users";
  };
  return (
    <AdminLayout
      title={t("admin.nav.users")}
      csrf={props.csrf}
      current="users"
      wide
      error={props.error}
    >
      <form
        method="get"
        action="/admin/users"
        class="filters"
        role="search"
        aria-label={t("admin.users.search_label")}
      >
        <div>
          <label for="q">{t("admin.users.search")}</label>
          <input id="q" name="q" type="search" value={props.q ?? ""} maxlength={128} />
        </div>
        <div>
          <label for="status">{t("admin.users.status")}</label>
          <select id="status" name="status">
            <option value="" selected={!props.status}>{t("admin.users.any")}</option>
            {STATUSES.map((s) => (
              <option value={s} selected={props.status === s}>{statusLabel(s)}</option>
            ))}
          </select>
        </div>
        <div class="submit">
          <button type="submit">{t("admin.filter")}</button>
        </div>
      </form>
      <p>
        <span id="user-count">{tp("admin.users.count", props.total)}</span>
        {props.q || props.status
          ? (
            <>
              {" · "}
              <a href="/admin/users">{t("admin.users.clear")}</a>
            </>
          )
          : null}
        {" · "}
        <a href="/admin/users/new">{t("admin.new_user.title")}</a>
      </p>
      {props.users.length === 0
        ? <p>{t("admin.users.none")}</p>
        : (
          <TableScroll label={t("admin.nav.users")}>
            <table id="users">
              <thead>
                <tr>
                  <th scope="col">{t("login.username")}</th>
                  <th scope="col">{t("admin.col.roles")}</th>
                  <th scope="col">{t("admin.col.groups")}</th>
                  <th scope="col">{t("admin.users.status")}</th>
                  <th scope="col">{t("admin.col.locked")}</th>
                  <th scope="col">{t("admin.col.disabled")}</th>
                </tr>
              </thead>
              <tbody>
                {props.users.map((v) => (
                  <tr data-user={v.user.username}>
                    <th scope="row">
                      <a href={`/admin/users/${v.user.id}`}>{v.user.displayName}</a>
                      {v.user.isService
                        ? <span class="muted">{t("admin.users.service")}</span>
                        : null}
                    </th>
                    <td>{list(v.roles)}</td>
                    <td>{list(v.groups)}</td>
                    <td>
                      <StatusCell view={v} />
                    </td>
                    <td>{v.locked ? t("admin.status.locked") : "—"}</td>
                    <td>{v.user.disabled ? t("admin.users.disabled") : "—"}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </TableScroll>
        )}
      {pages > 1
        ? (
          <nav class="pager" aria-label={t("admin.users.pages")}>
            {props.page > 1
              ? <a href={pageHref(props.page - 1)} rel="prev">{t("admin.users.previous")}</a>
              : null}
            <span>{t("admin.users.page_of", { page: props.page, pages })}</span>
            {props.page < pages
              ? <a href={pageHref(props.page + 1)} rel="next">{t("admin.users.next")}</a>
              : null}
          </nav>
        )
        : null}
    </AdminLayout>
  );
}

export function NewUserPage(props: { csrf: string; values: FormValues; errors: FormErrors }) {
  const { values: v, errors: e } = props;
  return (
    <AdminLayout title={t("admin.new_user.title")} csrf={props.csrf} current="users">
      <form method="post" action="/admin/users/new" novalidate>
        <CsrfField token={props.csrf} />
        <label for="username">{t("login.username")}</label>
        <input
          id="username"
          name="username"
          value={v.username ?? ""}
          autocomplete="off"
          maxlength={64}
          required
          autofocus
          {...described(e, "username")}
        />
        <ErrorText id="username-error" message={e.username} />
        <label for="password">{t("admin.new_user.password")}</label>
        <input
          id="password"
          name="password"
          type="password"
          autocomplete="new-password"
          maxlength={1024}
          {...described(e, "password", "password-hint")}
        />
        <p class="muted" id="password-hint">{t("admin.new_user.password_hint")}</p>
        <ErrorText id="password-error" message={e.password} />
        <label for="roles">{t("admin.col.roles")}</label>
        <input
          id="roles"
          name="roles"
          value={v.roles ?? ""}
          autocomplete="off"
          {...described(e, "roles", "roles-hint")}
        />
        <p class="muted" id="roles-hint">{t("admin.new_user.roles_hint")}</p>
        <ErrorText id="roles-error" message={e.roles} />
        <label for="groups">{t("admin.col.groups")}</label>
        <input
          id="groups"
          name="groups"
          value={v.groups ?? ""}
          autocomplete="off"
          {...described(e, "groups", "groups-hint")}
        />
        <p class="muted" id="groups-hint">{t("admin.new_user.groups_hint")}</p>
        <ErrorText id="groups-error" message={e.groups} />
        <label for="email">{t("admin.new_user.email")}</label>
        <input
          id="email"
          name="email"
          type="email"
          value={v.email ?? ""}
          autocomplete="off"
          maxlength={254}
          {...described(e, "email")}
        />
        <ErrorText id="email-error" message={e.email} />
        <label class="check">
          <input type="checkbox" name="service_account" value="on" checked={!!v.service_account} />
          {t("admin.new_user.service")}
        </label>
        <button type="submit">{t("admin.new_user.submit")}</button>
      </form>
    </AdminLayout>
  );
}

// ---- one user ----

function actionHref(id: string, action: UserAction, extra: Record<string, string> = {}) {
  const p = new URLSearchParams({ action, ...extra });
  return `/admin/users/${id}/confirm?${p}`;
}

export function UserPage(props: {
  csrf: string;
  view: AdminUserView;
  authenticators: AuthenticatorSummary[];
  devices: TrustedDeviceRow[];
  now: number;
  isSelf: boolean;
  editValues?: FormValues;
  editErrors?: FormErrors;
  notice?: string;
  error?: string;
}) {
  const { view: v, editErrors: e = {} } = props;
  const u = v.user;
  const passPending = !!u.enrollmentPassHash && (u.enrollmentPassExpiresAt ?? 0) > props.now;
  const action = (a: UserAction, text: string, extra?: Record<string, string>, danger = false) => (
    <li>
      <a class={danger ? "button small danger" : "button small"} href={actionHref(u.id, a, extra)}>
        {text}
      </a>
    </li>
  );
  return (
    <AdminLayout
      title={t("admin.user.title", { name: u.displayName })}
      csrf={props.csrf}
      current="users"
      wide
      notice={props.notice}
      error={props.error}
    >
      <dl class="facts" id="user-facts">
        <dt>{t("login.username")}</dt>
        <dd>{u.displayName}</dd>
        <dt>{t("admin.user.email")}</dt>
        <dd>{u.email ?? "—"}</dd>
        <dt>{t("admin.col.roles")}</dt>
        <dd id="user-roles">{list(v.roles)}</dd>
        <dt>{t("admin.col.groups")}</dt>
        <dd id="user-groups">{list(v.groups)}</dd>
        <dt>{t("admin.user.account")}</dt>
        <dd id="user-account">
          {u.disabled ? t("admin.users.disabled") : t("admin.user.active")}
          {u.isService ? t("admin.user.service_suffix") : ""}
        </dd>
        <dt>{t("admin.user.created")}</dt>
        <dd>{when(u.createdAt)}</dd>
        <dt>{t("admin.users.status")}</dt>
        <dd id="user-status">
          <StatusCell view={v} />
        </dd>
        <dt>{t("admin.user.required")}</dt>
        <dd id="user-required">
          {v.required
            ? (u.twofaRequired ? t("admin.user.required_admin") : t("admin.user.required_policy"))
            : t("common.no")}
        </dd>
        <dt>{t("account.authenticators")}</dt>
        <dd id="user-authenticators">{v.authenticatorCount}</dd>
        {passPending
          ? (
            <>
              <dt>{t("pass.label")}</dt>
              <dd>{t("admin.user.pass_until", { date: when(u.enrollmentPassExpiresAt) })}</dd>
            </>
          )
          : null}
        <dt>{t("admin.col.locked")}</dt>
        <dd id="user-locked">
          {v.locked ? t("admin.user.locked_until", { date: when(v.lockedUntil) }) : t("common.no")}
        </dd>
      </dl>

      <h2>{t("account.authenticators")}</h2>
      {props.authenticators.length === 0
        ? <p>{t("account.no_authenticator")}</p>
        : (
          <TableScroll label={t("account.authenticators")}>
            <table id="authenticators">
              <thead>
                <tr>
                  <th scope="col">{t("account.col.name")}</th>
                  <th scope="col">{t("account.col.added")}</th>
                  <th scope="col">{t("account.col.last_used")}</th>
                  <th scope="col">{t("admin.col.clock")}</th>
                </tr>
              </thead>
              <tbody>
                {props.authenticators.map((a) => (
                  <tr>
                    <th scope="row">{a.label}</th>
                    <td>{when(a.createdAt)}</td>
                    <td>{when(a.lastUsedAt)}</td>
                    <td>
                      {a.drift
                        ? (
                          <span class="warning">
                            {t(
                              a.drift.direction === "behind"
                                ? "admin.user.drift_behind"
                                : "admin.user.drift_ahead",
                              { seconds: a.drift.seconds },
                            )}
                          </span>
                        )
                        : t("admin.user.in_step")}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </TableScroll>
        )}

      <h2>{t("admin.user.actions")}</h2>
      <p class="muted">{t("admin.user.actions_hint")}</p>
      <ul class="actions" id="user-actions">
        {u.twofaRequired
          ? action("unrequire-2fa", t("admin.action.unrequire-2fa.title"))
          : action("require-2fa", t("admin.action.require-2fa.title"))}
        {action("reset-2fa", t("admin.user.reset_pass"), { mode: "pass" }, true)}
        {action("reset-2fa", t("admin.user.reset_plain"), { mode: "plain" }, true)}
        {!v.required && v.authenticatorCount > 0
          ? action("disable-2fa", t("admin.action.disable-2fa.title"), {}, true)
          : null}
        {v.locked ? action("unlock", t("admin.action.unlock.title")) : null}
        {action("end-sessions", t("admin.action.end-sessions.title"), {}, true)}
        {v.status === "grace" || v.status === "required_not_enrolled"
          ? action("extend-grace", t("admin.action.extend-grace.title"))
          : null}
        {u.disabled
          ? action("enable", t("admin.action.enable.title"))
          : props.isSelf
          ? null
          : action("disable", t("admin.action.disable.title"), {}, true)}
      </ul>

      <h2 id="edit-title">{t("admin.user.edit_title")}</h2>
      <form
        method="get"
        action={`/admin/users/${u.id}/confirm`}
        aria-labelledby="edit-title"
        novalidate
      >
        <input type="hidden" name="action" value="edit" />
        <label for="edit-roles">{t("admin.col.roles")}</label>
        <input
          id="edit-roles"
          name="roles"
          value={props.editValues?.roles ?? v.roles.join(", ")}
          autocomplete="off"
          {...described(e, "edit-roles", "edit-hint")}
        />
        <ErrorText id="edit-roles-error" message={e["edit-roles"]} />
        <label for="edit-groups">{t("admin.col.groups")}</label>
        <input
          id="edit-groups"
          name="groups"
          value={props.editValues?.groups ?? v.groups.join(", ")}
          autocomplete="off"
          {...described(e, "edit-groups", "edit-hint")}
        />
        <ErrorText id="edit-groups-error" message={e["edit-groups"]} />
        <p class="muted" id="edit-hint">{t("admin.user.edit_hint")}</p>
        <button type="submit">{t("admin.user.edit_review")}</button>
      </form>

      <h2>{t("account.devices")}</h2>
      {props.devices.length === 0
        ? <p id="no-devices">{t("account.no_devices")}</p>
        : (
          <TableScroll label={t("account.devices")}>
            <table id="devices">
              <thead>
                <tr>
                  <th scope="col">{t("account.col.device")}</th>
                  <th scope="col">{t("account.col.trusted_since")}</th>
                  <th scope="col">{t("account.col.last_used")}</th>
                  <th scope="col">{t("account.col.until")}</th>
                  <th scope="col">{t("account.col.actions")}</th>
                </tr>
              </thead>
              <tbody>
                {props.devices.map((d) => (
                  <tr>
                    <th scope="row">{d.name}</th>
                    <td>{when(d.createdAt)}</td>
                    <td>{when(d.lastUsedAt)}</td>
                    <td>{when(d.expiresAt)}</td>
                    <td>
                      <a
                        class="button small danger"
                        href={actionHref(u.id, "revoke-device", { device: d.id })}
                      >
                        {t("account.revoke")}
                      </a>
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </TableScroll>
        )}
      <p>
        <a href={`/admin/audit?user=${encodeURIComponent(u.username)}`}>
          {t("admin.user.audit_link")}
        </a>
      </p>
    </AdminLayout>
  );
}

/** What an action does, said before it is confirmed. */
function actionText(action: UserAction, name: string, required: boolean) {
  const key = (part: "title" | "question" | "detail" | "button") =>
    `admin.action.${action}.${part}` as MessageKey;
  const detail = action === "disable-2fa" && required
    ? t("admin.action.disable-2fa.blocked", { name })
    : t(key("detail"), { name });
  return {
    title: t(key("title")),
    question: t(key("question"), { name }),
    detail,
    button: t(key("button")),
  };
}

const DANGEROUS: UserAction[] = [
  "reset-2fa",
  "disable-2fa",
  "end-sessions",
  "disable",
  "revoke-device",
];

export function ConfirmPage(props: {
  csrf: string;
  view: AdminUserView;
  action: UserAction;
  mode?: "pass" | "plain";
  days?: string;
  device?: TrustedDeviceRow;
  edit?: { roles: string[]; groups: string[] };
  errors?: FormErrors;
}) {
  const v = props.view;
  const name = v.user.displayName;
  const text = actionText(props.action, name, v.required);
  const e = props.errors ?? {};
  const blocked = props.action === "disable-2fa" && v.required;
  return (
    <AdminLayout title={text.title} csrf={props.csrf} current="users">
      <p id="confirm-question">
        <strong>{t("admin.confirm.sure")}</strong> {text.question}
      </p>
      <p class={blocked ? "warning" : undefined} role={blocked ? "alert" : undefined}>
        {text.detail}
      </p>
      {props.device
        ? (
          <p>
            {tj("admin.confirm.device", {
              name: <strong>{props.device.name}</strong>,
              since: when(props.device.createdAt),
              used: when(props.device.lastUsedAt),
            })}
          </p>
        )
        : null}
      {props.edit
        ? (
          <table id="edit-changes">
            <thead>
              <tr>
                <td></td>
                <th scope="col">{t("admin.col.now")}</th>
                <th scope="col">{t("admin.col.after")}</th>
              </tr>
            </thead>
            <tbody>
              <tr>
                <th scope="row">{t("admin.col.roles")}</th>
                <td>{list(v.roles)}</td>
                <td>{list(props.edit.roles)}</td>
              </tr>
              <tr>
                <th scope="row">{t("admin.col.groups")}</th>
                <td>{list(v.groups)}</td>
                <td>{list(props.edit.groups)}</td>
              </tr>
            </tbody>
          </table>
        )
        : null}
      {blocked
        ? null
        : (
          <form method="post" action={`/admin/users/${v.user.id}/${props.action}`} novalidate>
            <CsrfField token={props.csrf} />
            {props.action === "reset-2fa"
              ? (
                <fieldset>
                  <legend>{t("admin.confirm.how")}</legend>
                  <label class="check">
                    <input type="radio" name="mode" value="pass" checked={props.mode !== "plain"} />
                    {t("admin.confirm.with_pass")}
                  </label>
                  <label class="check">
                    <input
                      type="radio"
                      name="mode"
                      value="plain"
                      checked={props.mode === "plain"}
                    />
                    {t("admin.confirm.plain")}
                  </label>
                </fieldset>
              )
              : null}
            {props.action === "extend-grace"
              ? (
                <>
                  <label for="days">{t("admin.confirm.days")}</label>
                  <input
                    id="days"
                    name="days"
                    type="number"
                    inputmode="numeric"
                    min={1}
                    max={365}
                    value={props.days ?? "7"}
                    required
                    {...described(e, "days")}
                  />
                  <ErrorText id="days-error" message={e.days} />
                </>
              )
              : null}
            {props.device ? <input type="hidden" name="device" value={props.device.id} /> : null}
            {props.edit
              ? (
                <>
                  <input type="hidden" name="roles" value={props.edit.roles.join(", ")} />
                  <input type="hidden" name="groups" value={props.edit.groups.join(", ")} />
                </>
              )
              : null}
            <button
              type="submit"
              class={DANGEROUS.includes(props.action) ? "danger" : undefined}
              id="confirm-button"
            >
              {text.button}
            </button>
          </form>
        )}
      <p>
        <a href={`/admin/users/${v.user.id}`}>{t("common.cancel")}</a>
      </p>
    </AdminLayout>
  );
}

export function ResetDonePage(
  props: { csrf: string; view: AdminUserView; pass: string | null; expiresAt: number | null },
) {
  const u = props.view.user;
  return (
    <AdminLayout
      title={t("admin.reset_done.title")}
      csrf={props.csrf}
      current="users"
      languageBase={`/admin/users/${u.id}`}
      script
    >
      <p class="notice" role="status">
        {tj("admin.reset_done.notice", { name: <strong>{u.displayName}</strong> })}
      </p>
      {props.pass
        ? (
          <>
            <p>
              {tj("admin.reset_done.give", {
                name: u.displayName,
                once: <strong>{t("admin.reset_done.once")}</strong>,
                expiry: <span id="pass-expiry">{when(props.expiresAt)}</span>,
              })}
            </p>
            <p class="pass copyable">
              <code id="enrollment-pass">{props.pass}</code>{" "}
              <CopyButton target="enrollment-pass" label={t("admin.reset_done.copy")} />
            </p>
          </>
        )
        : <p>{t("admin.reset_done.plain")}</p>}
      <p>
        <a href={`/admin/users/${u.id}`}>{t("admin.reset_done.back", { name: u.displayName })}</a>
      </p>
    </AdminLayout>
  );
}

// ---- policy ----

/** The label of a policy field, also used to list a preview's changes. */
const policyLabel = (key: keyof LoginPolicy) => t(`admin.policy.field.${key}`);
const POLICY_FIELDS = Object.keys(loginPolicySchema.shape) as (keyof LoginPolicy)[];

type NumberField =
  | "graceDays"
  | "trustedDeviceDays"
  | "totpDigits"
  | "totpPeriod"
  | "totpWindow"
  | "alertThreshold"
  | "alertWindowMinutes";

function NumberInput(
  props: { name: NumberField; values: FormValues; errors: FormErrors; hint?: string },
) {
  const n = loginPolicySchema.shape[props.name].unwrap();
  return (
    <>
      <label for={props.name}>{policyLabel(props.name)}</label>
      <input
        id={props.name}
        name={props.name}
        type="number"
        inputmode="numeric"
        min={n.minValue ?? undefined}
        max={n.maxValue ?? undefined}
        value={props.values[props.name] ?? ""}
        required
        {...described(props.errors, props.name, props.hint ? `${props.name}-hint` : undefined)}
      />
      {props.hint ? <p class="muted" id={`${props.name}-hint`}>{props.hint}</p> : null}
      <ErrorText id={`${props.name}-error`} message={props.errors[props.name]} />
    </>
  );
}

function TextInput(props: {
  name: keyof LoginPolicy;
  values: FormValues;
  errors: FormErrors;
  hint: string;
  lines?: boolean;
}) {
  const attrs = {
    id: props.name,
    name: props.name,
    ...described(props.errors, props.name, `${props.name}-hint`),
  };
  return (
    <>
      <label for={props.name}>{policyLabel(props.name)}</label>
      {props.lines
        ? (
          <textarea rows={3} spellcheck={false} {...attrs}>
            {props.values[props.name] ?? ""}
          </textarea>
        )
        : <input autocomplete="off" value={props.values[props.name] ?? ""} {...attrs} />}
      <p class="muted" id={`${props.name}-hint`}>{props.hint}</p>
      <ErrorText id={`${props.name}-error`} message={props.errors[props.name]} />
    </>
  );
}

function Check(props: { name: keyof LoginPolicy; values: FormValues; text: string }) {
  return (
    <label class="check">
      <input type="checkbox" name={props.name} value="on" checked={!!props.values[props.name]} />
      {props.text}
    </label>
  );
}

export function PolicyPage(props: {
  csrf: string;
  values: FormValues;
  errors: FormErrors;
  passwordValues: FormValues;
  passwordErrors: FormErrors;
  notice?: string;
}) {
  const { values: v, errors: e, passwordValues: pv, passwordErrors: pe } = props;
  const invalid = Object.values(e).some(Boolean);
  return (
    <AdminLayout
      title={t("admin.nav.policy")}
      csrf={props.csrf}
      current="policy"
      notice={props.notice}
    >
      <h2 id="login-policy">{t("account.twofa")}</h2>
      {invalid
        ? <p class="error" role="alert" id="policy-errors">{t("admin.policy.invalid")}</p>
        : null}
      <form method="post" action="/admin/policy" novalidate aria-labelledby="login-policy">
        <CsrfField token={props.csrf} />
        <fieldset>
          <legend>{policyLabel("mode")}</legend>
          <label class="check">
            <input
              type="radio"
              name="mode"
              value="everyone"
              checked={v.mode !== "listed"}
              aria-describedby={e.mode ? "mode-error" : undefined}
            />
            {t("admin.policy.everyone")}
          </label>
          <label class="check">
            <input
              type="radio"
              name="mode"
              value="listed"
              checked={v.mode === "listed"}
              aria-describedby={e.mode ? "mode-error" : undefined}
            />
            {t("admin.policy.listed")}
          </label>
          <ErrorText id="mode-error" message={e.mode} />
          <TextInput
            name="requiredRoles"
            values={v}
            errors={e}
            hint={t("admin.policy.hint.requiredRoles")}
          />
          <TextInput
            name="requiredGroups"
            values={v}
            errors={e}
            hint={t("admin.policy.hint.requiredGroups")}
          />
          <Check name="adminsAlways" values={v} text={t("admin.policy.admins_always")} />
          <TextInput
            name="exemptGroups"
            values={v}
            errors={e}
            hint={t("admin.policy.hint.exemptGroups")}
          />
          <p class="warning" id="exempt-warning">{t("admin.policy.exempt_warning")}</p>
        </fieldset>
        <fieldset>
          <legend>{t("admin.policy.networks")}</legend>
          <TextInput
            name="networkRequire"
            values={v}
            errors={e}
            lines
            hint={t("admin.policy.hint.networkRequire")}
          />
          <TextInput
            name="networkSkip"
            values={v}
            errors={e}
            lines
            hint={t("admin.policy.hint.networkSkip")}
          />
        </fieldset>
        <fieldset>
          <legend>{t("admin.policy.enrollment")}</legend>
          <NumberInput
            name="graceDays"
            values={v}
            errors={e}
            hint={t("admin.policy.hint.graceDays")}
          />
          <Check name="recoveryCodesEnabled" values={v} text={t("admin.policy.recovery_on")} />
          <Check name="trustedDevicesEnabled" values={v} text={t("admin.policy.devices_on")} />
          <NumberInput name="trustedDeviceDays" values={v} errors={e} />
        </fieldset>
        <fieldset>
          <legend>{t("admin.policy.codes")}</legend>
          <label for="totpAlgorithm">{policyLabel("totpAlgorithm")}</label>
          <select id="totpAlgorithm" name="totpAlgorithm" {...described(e, "totpAlgorithm")}>
            {["SHA1", "SHA256", "SHA512"].map((a) => (
              <option value={a} selected={v.totpAlgorithm === a}>
                {a === "SHA1" ? t("admin.policy.sha1") : a}
              </option>
            ))}
          </select>
          <ErrorText id="totpAlgorithm-error" message={e.totpAlgorithm} />
          <NumberInput name="totpDigits" values={v} errors={e} />
          <NumberInput name="totpPeriod" values={v} errors={e} />
          <NumberInput name="totpWindow" values={v} errors={e} />
        </fieldset>
        <fieldset>
          <legend>{t("admin.policy.alerts")}</legend>
          <NumberInput name="alertThreshold" values={v} errors={e} />
          <NumberInput name="alertWindowMinutes" values={v} errors={e} />
        </fieldset>
        <button type="submit" id="preview-button">{t("admin.policy.preview")}</button>
      </form>

      <h2 id="password-policy">{t("admin.policy.passwords")}</h2>
      <form
        method="post"
        action="/admin/password-policy"
        novalidate
        aria-labelledby="password-policy"
      >
        <CsrfField token={props.csrf} />
        <label for="minLength">{t("admin.policy.min_length")}</label>
        <input
          id="minLength"
          name="minLength"
          type="number"
          inputmode="numeric"
          min={8}
          max={128}
          value={pv.minLength ?? ""}
          required
          {...described(pe, "minLength")}
        />
        <ErrorText id="minLength-error" message={pe.minLength} />
        <label for="minClasses">{t("admin.policy.min_classes")}</label>
        <select id="minClasses" name="minClasses" {...described(pe, "minClasses")}>
          {["1", "2", "3", "4"].map((n) => (
            <option value={n} selected={pv.minClasses === n}>
              {n === "1" ? t("admin.policy.classes_none") : t("admin.policy.classes", { n })}
            </option>
          ))}
        </select>
        <ErrorText id="minClasses-error" message={pe.minClasses} />
        <label class="check">
          <input type="checkbox" name="forbidUsername" value="on" checked={!!pv.forbidUsername} />
          {t("admin.policy.forbid_username")}
        </label>
        <label class="check">
          <input type="checkbox" name="forbidCommon" value="on" checked={!!pv.forbidCommon} />
          {t("admin.policy.forbid_common")}
        </label>
        <button type="submit">{t("admin.policy.save_passwords")}</button>
      </form>
    </AdminLayout>
  );
}

function HiddenValues(props: { values: FormValues }) {
  return (
    <>
      {Object.entries(props.values).map(([k, val]) => (
        <input type="hidden" name={k} value={val ?? ""} />
      ))}
    </>
  );
}

/** A policy value as text, for comparing (language-neutral). */
function raw(value: unknown): string {
  if (Array.isArray(value)) return value.join(", ");
  return String(value);
}

/** A policy value as the page shows it. */
function shown(key: keyof LoginPolicy, value: unknown): string {
  if (Array.isArray(value)) return value.length ? value.join(", ") : t("admin.preview.none");
  if (typeof value === "boolean") return value ? t("admin.preview.on") : t("admin.preview.off");
  if (key === "mode") {
    return value === "listed" ? t("admin.policy.listed") : t("admin.policy.everyone");
  }
  return String(value);
}

export function PolicyPreviewPage(props: {
  csrf: string;
  values: FormValues;
  before: LoginPolicy;
  after: LoginPolicy;
  wouldBlock: string[];
}) {
  const changed = POLICY_FIELDS.filter((k) => raw(props.before[k]) !== raw(props.after[k]));
  const n = props.wouldBlock.length;
  return (
    <AdminLayout
      title={t("admin.preview.title")}
      csrf={props.csrf}
      current="policy"
      wide
      languageBase="/admin/policy"
    >
      {n
        ? (
          <div class="emergency" id="would-block">
            <p>
              <strong>{tp("admin.preview.would_block", n)}</strong> {t("admin.preview.next_login")}
            </p>
            <ul id="would-block-users">
              {props.wouldBlock.map((name) => (
                <li>
                  <strong>{name}</strong>
                </li>
              ))}
            </ul>
          </div>
        )
        : <p class="notice" id="would-block">{t("admin.preview.blocks_nobody")}</p>}
      <h2>{t("admin.preview.changes")}</h2>
      {changed.length === 0
        ? <p>{t("admin.preview.nothing")}</p>
        : (
          <TableScroll label={t("admin.preview.changes")}>
            <table id="policy-changes">
              <thead>
                <tr>
                  <th scope="col">{t("admin.col.setting")}</th>
                  <th scope="col">{t("admin.col.now")}</th>
                  <th scope="col">{t("admin.col.after")}</th>
                </tr>
              </thead>
              <tbody>
                {changed.map((k) => (
                  <tr>
                    <th scope="row">{policyLabel(k)}</th>
                    <td>{shown(k, props.before[k])}</td>
                    <td>{shown(k, props.after[k])}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </TableScroll>
        )}
      <form method="post" action="/admin/policy" class="inline">
        <CsrfField token={props.csrf} />
        <HiddenValues values={props.values} />
        <input type="hidden" name="confirm" value="1" />
        <button type="submit" id="save-policy">{t("admin.preview.save")}</button>
      </form>{" "}
      <form method="post" action="/admin/policy" class="inline">
        <CsrfField token={props.csrf} />
        <HiddenValues values={props.values} />
        <input type="hidden" name="edit" value="1" />
        <button type="submit" class="secondary">{t("admin.preview.back")}</button>
      </form>
    </AdminLayout>
  );
}

// ---- audit ----

/** A long detail (a policy change carries both policies) folds behind its first words. */
function Detail(props: { text: string }) {
  if (props.text.length <= 160) return <code>{props.text}</code>;
  return (
    <details>
      <summary>
        <code>{props.text.slice(0, 80)}…</code>
      </summary>
      <code>{props.text}</code>
    </details>
  );
}

export function AuditPage(props: {
  csrf: string;
  filters: FormValues;
  errors: FormErrors;
  rows: AuditRow[];
  limit: number;
  csvHref: string;
}) {
  const { filters: f, errors: e } = props;
  const input = (name: string, label: string, type = "text", hint?: string) => (
    <div>
      <label for={name}>{label}</label>
      <input
        id={name}
        name={name}
        type={type}
        value={f[name] ?? ""}
        {...described(e, name, hint)}
      />
      <ErrorText id={`${name}-error`} message={e[name]} />
    </div>
  );
  return (
    <AdminLayout title={t("admin.nav.audit")} csrf={props.csrf} current="audit" wide>
      <form
        method="get"
        action="/admin/audit"
        class="filters"
        role="search"
        aria-label={t("admin.audit.search_label")}
      >
        {input("user", t("admin.audit.user"))}
        {input("event", t("admin.audit.event"), "text", "event-hint")}
        {input("from", t("admin.audit.from"), "datetime-local", "time-hint")}
        {input("to", t("admin.audit.to"), "datetime-local", "time-hint")}
        <div class="submit">
          <button type="submit">{t("admin.filter")}</button>
        </div>
      </form>
      <p class="muted">
        <span id="event-hint">{t("admin.audit.event_hint")}</span>{" "}
        <span id="time-hint">{t("admin.audit.time_hint")}</span>
      </p>
      <p>
        {props.rows.length === props.limit
          ? t("admin.audit.newest", { n: props.limit })
          : tp("admin.audit.count", props.rows.length)}{" "}
        <a href={props.csvHref} id="export-csv" download>{t("admin.audit.export")}</a>{" "}
        <span class="muted">{t("admin.audit.export_hint")}</span>
      </p>
      {props.rows.length === 0
        ? <p>{t("admin.audit.none")}</p>
        : (
          <TableScroll label={t("admin.nav.audit")}>
            <table id="audit">
              <thead>
                <tr>
                  <th scope="col">{t("admin.col.when_utc")}</th>
                  <th scope="col">{t("admin.col.event")}</th>
                  <th scope="col">{t("admin.col.outcome")}</th>
                  <th scope="col">{t("admin.col.user")}</th>
                  <th scope="col">{t("admin.col.address")}</th>
                  <th scope="col">{t("admin.col.detail")}</th>
                </tr>
              </thead>
              <tbody>
                {props.rows.map((r) => (
                  <tr class={r.event.startsWith("emergency.") ? "emergency" : undefined}>
                    <td class="nowrap">{when(r.at)}</td>
                    <td>
                      <code>{r.event}</code>
                    </td>
                    <td>{r.outcome}</td>
                    <td>
                      {r.userId
                        ? <a href={`/admin/users/${r.userId}`}>{r.username ?? r.userId}</a>
                        : r.username ?? "—"}
                    </td>
                    <td>{r.ip ?? "—"}</td>
                    <td class="detail">
                      <Detail text={detailText(r.detail)} />
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </TableScroll>
        )}
    </AdminLayout>
  );
}
