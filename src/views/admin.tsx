/** @module The admin console pages: dashboard, users, a user and its confirmed actions, policy, audit. */
import type { Child } from "hono/jsx";
import type { AdminUserView, StatusFilter } from "../admin/service.ts";
import type { AlertRow } from "../alerts/service.ts";
import type { auditEvents } from "../db/schema.ts";
import type { TrustedDeviceRow } from "../devices/repo.ts";
import type { Drift } from "../totp/drift.ts";
import { type LoginPolicy, loginPolicySchema } from "../policy/policy.ts";
import { when } from "./account.tsx";
import { CsrfField, ErrorText, Layout } from "./layout.tsx";

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

export const STATUS_LABELS: Record<StatusFilter, string> = {
  enrolled: "Enrolled",
  not_enrolled: "Not enrolled",
  required_not_enrolled: "Required, not enrolled",
  grace: "In grace period",
  locked: "Locked",
};

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
    <nav class="admin" aria-label="Admin console">
      {link("dashboard", "/admin", "Dashboard")}
      {link("users", "/admin/users", "Users")}
      {link("policy", "/admin/policy", "Policy")}
      {link("audit", "/admin/audit", "Audit log")}
      <a href="/account">Your account</a>
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
  children: Child;
}) {
  return (
    <Layout
      title={props.title}
      signedIn
      csrf={props.csrf}
      wide={props.wide}
      nav={<AdminNav current={props.current} />}
    >
      {props.notice ? <p class="notice" role="status">{props.notice}</p> : null}
      {props.error ? <p class="error" role="alert" id="page-error">{props.error}</p> : null}
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
    <Layout title="Admins only" signedIn csrf={props.csrf}>
      <p>
        The admin console is for administrators who signed in with a second factor (an authenticator
        code, a recovery code or a trusted device).
      </p>
      <p>
        <a href="/account">Back to your account</a>
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
      title="Admin console"
      csrf={props.csrf}
      current="dashboard"
      wide
      notice={props.notice}
      error={props.error}
    >
      {props.emergencies.length
        ? (
          <section class="emergency" id="emergency-access" aria-labelledby="emergency-title">
            <h2 id="emergency-title">Emergency access was used</h2>
            <p>
              Someone ran the emergency command on the server in the last 30 days. Check that it was
              expected.
            </p>
            <ul>
              {props.emergencies.map((e) => {
                const d = detailOf(e.detail);
                return (
                  <li>
                    <strong>{when(e.at)}</strong>: 2FA of <strong>{e.username ?? "?"}</strong> reset
                    {" "}
                    {d.mode === "pass" ? "with an enrollment pass" : "(plain)"}
                    {d.via ? ` via ${String(d.via)}` : ""}
                  </li>
                );
              })}
            </ul>
            <p>
              <a href="/admin/audit?event=emergency.">All emergency events</a>
            </p>
          </section>
        )
        : null}

      <h2>Open alerts</h2>
      {props.alerts.length === 0 ? <p id="no-alerts">No open alerts.</p> : (
        <table id="alerts">
          <thead>
            <tr>
              <th scope="col">When</th>
              <th scope="col">User</th>
              <th scope="col">What</th>
              <th scope="col">Actions</th>
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
                      ? `${d.failures ?? "Several"} failed second-factor attempts within ${
                        d.window_minutes ?? "a few"
                      } minutes`
                      : a.kind}
                  </td>
                  <td>
                    <form method="post" action={`/admin/alerts/${a.id}/ack`} class="inline">
                      <CsrfField token={props.csrf} />
                      <button type="submit" class="small">Acknowledge</button>
                    </form>
                  </td>
                </tr>
              );
            })}
          </tbody>
        </table>
      )}

      <h2>Two-factor status</h2>
      <table id="status-counts" class="compact">
        <thead>
          <tr>
            <th scope="col">Status</th>
            <th scope="col">Users</th>
          </tr>
        </thead>
        <tbody>
          {statuses.map((s) => (
            <tr>
              <th scope="row">
                <a href={usersHref(s)}>{STATUS_LABELS[s]}</a>
              </th>
              <td data-status={s}>{props.counts[s]}</td>
            </tr>
          ))}
          <tr>
            <th scope="row">
              <a href="/admin/users">All users</a>
            </th>
            <td data-status="total">{props.counts.total}</td>
          </tr>
        </tbody>
      </table>

      <h2>More</h2>
      <ul>
        <li>
          <a href="/admin/users">Users</a> and <a href="/admin/users/new">a new user</a>
        </li>
        <li>
          <a href="/admin/policy">2FA and password policy</a>
        </li>
        <li>
          <a href="/admin/audit">Audit log</a>
        </li>
        <li>
          <a href="/admin/compliance.csv" download>Compliance report (CSV)</a>: the 2FA status of
          every user
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
      {STATUS_LABELS[v.status]}
      {v.status === "grace" && v.graceDeadline
        ? <span class="muted">{` until ${when(v.graceDeadline)}`}</span>
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
    <AdminLayout title="Users" csrf={props.csrf} current="users" wide error={props.error}>
      <form method="get" action="/admin/users" class="filters" role="search">
        <div>
          <label for="q">Search</label>
          <input id="q" name="q" type="search" value={props.q ?? ""} maxlength={128} />
        </div>
        <div>
          <label for="status">2FA status</label>
          <select id="status" name="status">
            <option value="" selected={!props.status}>Any</option>
            {(Object.keys(STATUS_LABELS) as StatusFilter[]).map((s) => (
              <option value={s} selected={props.status === s}>{STATUS_LABELS[s]}</option>
            ))}
          </select>
        </div>
        <div class="submit">
          <button type="submit">Filter</button>
        </div>
      </form>
      <p>
        <span id="user-count">
          {props.total} user{props.total === 1 ? "" : "s"}
        </span>
        {props.q || props.status
          ? (
            <>
              {" · "}
              <a href="/admin/users">Clear the filter</a>
            </>
          )
          : null}
        {" · "}
        <a href="/admin/users/new">Create a user</a>
      </p>
      {props.users.length === 0 ? <p>No user matches.</p> : (
        <table id="users">
          <thead>
            <tr>
              <th scope="col">Username</th>
              <th scope="col">Roles</th>
              <th scope="col">Groups</th>
              <th scope="col">2FA status</th>
              <th scope="col">Locked</th>
              <th scope="col">Disabled</th>
            </tr>
          </thead>
          <tbody>
            {props.users.map((v) => (
              <tr data-user={v.user.username}>
                <th scope="row">
                  <a href={`/admin/users/${v.user.id}`}>{v.user.displayName}</a>
                  {v.user.isService ? <span class="muted">(service)</span> : null}
                </th>
                <td>{list(v.roles)}</td>
                <td>{list(v.groups)}</td>
                <td>
                  <StatusCell view={v} />
                </td>
                <td>{v.locked ? "Locked" : "—"}</td>
                <td>{v.user.disabled ? "Disabled" : "—"}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {pages > 1
        ? (
          <nav class="pager" aria-label="Pages">
            {props.page > 1 ? <a href={pageHref(props.page - 1)} rel="prev">Previous</a> : null}
            <span>Page {props.page} of {pages}</span>
            {props.page < pages ? <a href={pageHref(props.page + 1)} rel="next">Next</a> : null}
          </nav>
        )
        : null}
    </AdminLayout>
  );
}

export function NewUserPage(props: { csrf: string; values: FormValues; errors: FormErrors }) {
  const { values: v, errors: e } = props;
  return (
    <AdminLayout title="Create a user" csrf={props.csrf} current="users">
      <form method="post" action="/admin/users/new" novalidate>
        <CsrfField token={props.csrf} />
        <label for="username">Username</label>
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
        <label for="password">Initial password</label>
        <input
          id="password"
          name="password"
          type="password"
          autocomplete="new-password"
          maxlength={1024}
          {...described(e, "password", "password-hint")}
        />
        <p class="muted" id="password-hint">
          Give it to the person over a separate channel. Leave it empty for a service account.
        </p>
        <ErrorText id="password-error" message={e.password} />
        <label for="roles">Roles</label>
        <input
          id="roles"
          name="roles"
          value={v.roles ?? ""}
          autocomplete="off"
          {...described(e, "roles", "roles-hint")}
        />
        <p class="muted" id="roles-hint">Separated by commas, e.g. "admin".</p>
        <ErrorText id="roles-error" message={e.roles} />
        <label for="groups">Groups</label>
        <input
          id="groups"
          name="groups"
          value={v.groups ?? ""}
          autocomplete="off"
          {...described(e, "groups", "groups-hint")}
        />
        <p class="muted" id="groups-hint">Separated by commas, e.g. "finance, support".</p>
        <ErrorText id="groups-error" message={e.groups} />
        <label for="email">Email (optional, for password resets)</label>
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
          Service account (no interactive login, reached only through API keys)
        </label>
        <button type="submit">Create the user</button>
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
      title={`User ${u.displayName}`}
      csrf={props.csrf}
      current="users"
      wide
      notice={props.notice}
      error={props.error}
    >
      <dl class="facts" id="user-facts">
        <dt>Username</dt>
        <dd>{u.displayName}</dd>
        <dt>Email</dt>
        <dd>{u.email ?? "—"}</dd>
        <dt>Roles</dt>
        <dd id="user-roles">{list(v.roles)}</dd>
        <dt>Groups</dt>
        <dd id="user-groups">{list(v.groups)}</dd>
        <dt>Account</dt>
        <dd id="user-account">
          {u.disabled ? "Disabled" : "Active"}
          {u.isService ? ", service account" : ""}
        </dd>
        <dt>Created</dt>
        <dd>{when(u.createdAt)}</dd>
        <dt>2FA status</dt>
        <dd id="user-status">
          <StatusCell view={v} />
        </dd>
        <dt>2FA required</dt>
        <dd id="user-required">
          {v.required ? (u.twofaRequired ? "Yes, by an admin" : "Yes, by the policy") : "No"}
        </dd>
        <dt>Authenticators</dt>
        <dd id="user-authenticators">{v.authenticatorCount}</dd>
        {passPending
          ? (
            <>
              <dt>Enrollment pass</dt>
              <dd>Issued, valid until {when(u.enrollmentPassExpiresAt)}</dd>
            </>
          )
          : null}
        <dt>Locked</dt>
        <dd id="user-locked">{v.locked ? `Until ${when(v.lockedUntil)}` : "No"}</dd>
      </dl>

      <h2>Authenticators</h2>
      {props.authenticators.length === 0
        ? <p>No authenticator is set up.</p>
        : (
          <table id="authenticators">
            <thead>
              <tr>
                <th scope="col">Name</th>
                <th scope="col">Added</th>
                <th scope="col">Last used</th>
                <th scope="col">Clock</th>
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
                          {`${a.drift.direction} by about ${a.drift.seconds} s`}
                        </span>
                      )
                      : "in step"}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        )}

      <h2>Actions</h2>
      <p class="muted">
        Each action asks you to confirm it first, and is recorded in the audit log.
      </p>
      <ul class="actions" id="user-actions">
        {u.twofaRequired
          ? action("unrequire-2fa", "Stop requiring 2FA")
          : action("require-2fa", "Require 2FA")}
        {action("reset-2fa", "Reset 2FA with an enrollment pass", { mode: "pass" }, true)}
        {action("reset-2fa", "Plain reset of 2FA", { mode: "plain" }, true)}
        {!v.required && v.authenticatorCount > 0
          ? action("disable-2fa", "Turn off 2FA", {}, true)
          : null}
        {v.locked ? action("unlock", "Unlock") : null}
        {action("end-sessions", "End all sessions", {}, true)}
        {v.status === "grace" || v.status === "required_not_enrolled"
          ? action("extend-grace", "Extend the grace period")
          : null}
        {u.disabled
          ? action("enable", "Enable the account")
          : props.isSelf
          ? null
          : action("disable", "Disable the account", {}, true)}
      </ul>

      <h2 id="edit-title">Roles and groups</h2>
      <form
        method="get"
        action={`/admin/users/${u.id}/confirm`}
        aria-labelledby="edit-title"
        novalidate
      >
        <input type="hidden" name="action" value="edit" />
        <label for="edit-roles">Roles</label>
        <input
          id="edit-roles"
          name="roles"
          value={props.editValues?.roles ?? v.roles.join(", ")}
          autocomplete="off"
          {...described(e, "edit-roles", "edit-hint")}
        />
        <ErrorText id="edit-roles-error" message={e["edit-roles"]} />
        <label for="edit-groups">Groups</label>
        <input
          id="edit-groups"
          name="groups"
          value={props.editValues?.groups ?? v.groups.join(", ")}
          autocomplete="off"
          {...described(e, "edit-groups", "edit-hint")}
        />
        <ErrorText id="edit-groups-error" message={e["edit-groups"]} />
        <p class="muted" id="edit-hint">
          Separated by commas. Groups and roles decide who the policy requires 2FA for.
        </p>
        <button type="submit">Review the change</button>
      </form>

      <h2>Trusted devices</h2>
      {props.devices.length === 0
        ? <p id="no-devices">No device skips the code.</p>
        : (
          <table id="devices">
            <thead>
              <tr>
                <th scope="col">Device</th>
                <th scope="col">Trusted since</th>
                <th scope="col">Last used</th>
                <th scope="col">Until</th>
                <th scope="col">Actions</th>
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
                      Revoke
                    </a>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      <p>
        <a href={`/admin/audit?user=${encodeURIComponent(u.username)}`}>
          Audit events of this user
        </a>
      </p>
    </AdminLayout>
  );
}

/** What an action does, said before it is confirmed. */
function actionText(action: UserAction, name: string, required: boolean) {
  switch (action) {
    case "require-2fa":
      return {
        title: "Require 2FA",
        question: `Require two-factor sign-in for ${name}, whatever the policy says?`,
        detail:
          "Without an authenticator they set one up at their next sign-in (after any grace period).",
        button: "Require 2FA",
      };
    case "unrequire-2fa":
      return {
        title: "Stop requiring 2FA",
        question: `Stop requiring two-factor sign-in for ${name}?`,
        detail: "The policy still applies to them; their authenticators stay.",
        button: "Stop requiring 2FA",
      };
    case "reset-2fa":
      return {
        title: "Reset 2FA",
        question: `Reset two-factor sign-in for ${name}?`,
        detail: "Their authenticators, recovery codes and trusted devices are removed and all " +
          "their sessions end. They set up a new authenticator at their next sign-in.",
        button: "Reset 2FA",
      };
    case "disable-2fa":
      return {
        title: "Turn off 2FA",
        question: `Turn off two-factor sign-in for ${name}?`,
        detail: required
          ? `The policy requires two-factor sign-in for ${name}, so it cannot be turned off.`
          : "Their authenticators, recovery codes and trusted devices are removed and all " +
            "their sessions end. Their password alone will sign them in.",
        button: "Turn off 2FA",
      };
    case "unlock":
      return {
        title: "Unlock",
        question: `Unlock ${name}?`,
        detail: "This lifts the password lock and the second-factor lock.",
        button: "Unlock",
      };
    case "end-sessions":
      return {
        title: "End all sessions",
        question: `End all sessions of ${name}?`,
        detail: "They are signed out everywhere. Their trusted devices stay trusted.",
        button: "End all sessions",
      };
    case "extend-grace":
      return {
        title: "Extend the grace period",
        question: `Give ${name} more time to set up two-factor sign-in?`,
        detail: "Counted from now. Until then they can sign in without a second factor.",
        button: "Extend the grace period",
      };
    case "disable":
      return {
        title: "Disable the account",
        question: `Disable the account of ${name}?`,
        detail: "They cannot sign in any more and all their sessions end.",
        button: "Disable the account",
      };
    case "enable":
      return {
        title: "Enable the account",
        question: `Enable the account of ${name}?`,
        detail: "They can sign in again.",
        button: "Enable the account",
      };
    case "edit":
      return {
        title: "Change roles and groups",
        question: `Change the roles and groups of ${name}?`,
        detail: "This can change whether the policy requires two-factor sign-in for them.",
        button: "Save roles and groups",
      };
    case "revoke-device":
      return {
        title: "Revoke a trusted device",
        question: `Revoke this trusted device of ${name}?`,
        detail: "The next sign-in on it asks for a code.",
        button: "Revoke the device",
      };
  }
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
  const t = actionText(props.action, name, v.required);
  const e = props.errors ?? {};
  const blocked = props.action === "disable-2fa" && v.required;
  return (
    <AdminLayout title={t.title} csrf={props.csrf} current="users">
      <p id="confirm-question">
        <strong>Are you sure?</strong> {t.question}
      </p>
      <p class={blocked ? "warning" : undefined} role={blocked ? "alert" : undefined}>
        {t.detail}
      </p>
      {props.device
        ? (
          <p>
            Device: <strong>{props.device.name}</strong>, trusted since{" "}
            {when(props.device.createdAt)}, last used {when(props.device.lastUsedAt)}.
          </p>
        )
        : null}
      {props.edit
        ? (
          <table id="edit-changes">
            <thead>
              <tr>
                <td></td>
                <th scope="col">Now</th>
                <th scope="col">After</th>
              </tr>
            </thead>
            <tbody>
              <tr>
                <th scope="row">Roles</th>
                <td>{list(v.roles)}</td>
                <td>{list(props.edit.roles)}</td>
              </tr>
              <tr>
                <th scope="row">Groups</th>
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
                  <legend>How the user enrolls again</legend>
                  <label class="check">
                    <input type="radio" name="mode" value="pass" checked={props.mode !== "plain"} />
                    With a one-time enrollment pass (recommended): they need it together with their
                    password. It is shown to you once and expires after 24 hours.
                  </label>
                  <label class="check">
                    <input
                      type="radio"
                      name="mode"
                      value="plain"
                      checked={props.mode === "plain"}
                    />
                    Plain: their password alone lets them (or anyone who knows it) enroll a new
                    authenticator.
                  </label>
                </fieldset>
              )
              : null}
            {props.action === "extend-grace"
              ? (
                <>
                  <label for="days">Days from now</label>
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
              {t.button}
            </button>
          </form>
        )}
      <p>
        <a href={`/admin/users/${v.user.id}`}>Cancel</a>
      </p>
    </AdminLayout>
  );
}

export function ResetDonePage(
  props: { csrf: string; view: AdminUserView; pass: string | null; expiresAt: number | null },
) {
  const u = props.view.user;
  return (
    <AdminLayout title="2FA reset" csrf={props.csrf} current="users">
      <p class="notice" role="status">
        Two-factor sign-in of <strong>{u.displayName}</strong>{" "}
        was reset and all their sessions ended.
      </p>
      {props.pass
        ? (
          <>
            <p>
              Give this one-time enrollment pass to {u.displayName}{" "}
              over a channel you trust (in person, by phone). They need it together with their
              password to set up a new authenticator. <strong>It is shown only this once</strong>
              {" "}
              and expires at <span id="pass-expiry">{when(props.expiresAt)}</span> (24 hours).
            </p>
            <p class="pass">
              <code id="enrollment-pass">{props.pass}</code>
            </p>
          </>
        )
        : <p>Their password alone lets them set up a new authenticator at their next sign-in.</p>}
      <p>
        <a href={`/admin/users/${u.id}`}>Back to {u.displayName}</a>
      </p>
    </AdminLayout>
  );
}

// ---- policy ----

/** Labels of the policy fields, also used to list a preview's changes. */
export const POLICY_LABELS: Record<keyof LoginPolicy, string> = {
  mode: "Who must use 2FA",
  requiredRoles: "Required roles",
  requiredGroups: "Required groups",
  adminsAlways: "Admins always use 2FA",
  exemptGroups: "Exempt groups",
  networkRequire: "Networks where 2FA is always required",
  networkSkip: "Networks where the second factor is skipped",
  graceDays: "Grace period (days)",
  recoveryCodesEnabled: "Recovery codes",
  trustedDevicesEnabled: "Trusted devices",
  trustedDeviceDays: "Trusted device validity (days)",
  totpAlgorithm: "TOTP algorithm",
  totpDigits: "TOTP digits",
  totpPeriod: "TOTP period (seconds)",
  totpWindow: "TOTP window (steps either side)",
  alertThreshold: "Alert after more than this many failures",
  alertWindowMinutes: "Alert window (minutes)",
};

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
      <label for={props.name}>{POLICY_LABELS[props.name]}</label>
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
      <label for={props.name}>{POLICY_LABELS[props.name]}</label>
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
    <AdminLayout title="Policy" csrf={props.csrf} current="policy" notice={props.notice}>
      <h2 id="login-policy">Two-factor sign-in</h2>
      {invalid
        ? (
          <p class="error" role="alert" id="policy-errors">
            Some values are not valid. The fields below say why.
          </p>
        )
        : null}
      <form method="post" action="/admin/policy" novalidate aria-labelledby="login-policy">
        <CsrfField token={props.csrf} />
        <fieldset>
          <legend>Who must use 2FA</legend>
          <label class="check">
            <input type="radio" name="mode" value="everyone" checked={v.mode !== "listed"} />
            Everyone
          </label>
          <label class="check">
            <input type="radio" name="mode" value="listed" checked={v.mode === "listed"} />
            Only the roles and groups listed below
          </label>
          <ErrorText id="mode-error" message={e.mode} />
          <TextInput
            name="requiredRoles"
            values={v}
            errors={e}
            hint="Separated by commas. Used when only the listed roles and groups must use 2FA."
          />
          <TextInput
            name="requiredGroups"
            values={v}
            errors={e}
            hint="Separated by commas, e.g. finance, support."
          />
          <Check name="adminsAlways" values={v} text="Admins always use 2FA (recommended)" />
          <TextInput
            name="exemptGroups"
            values={v}
            errors={e}
            hint="Separated by commas. Members never need a second factor; admins stay covered while the box above is ticked."
          />
          <p class="warning" id="exempt-warning">
            Warning: an exempt group signs in with a password alone. Use it only for service
            accounts and similar, never for people.
          </p>
        </fieldset>
        <fieldset>
          <legend>Networks</legend>
          <TextInput
            name="networkRequire"
            values={v}
            errors={e}
            lines
            hint="CIDR ranges, one per line (e.g. 203.0.113.0/24). Over exemptions and skips."
          />
          <TextInput
            name="networkSkip"
            values={v}
            errors={e}
            lines
            hint="CIDR ranges, one per line. Not for admins while admins always use 2FA."
          />
        </fieldset>
        <fieldset>
          <legend>Enrollment and devices</legend>
          <NumberInput
            name="graceDays"
            values={v}
            errors={e}
            hint="Days a user may still sign in without a second factor after it becomes required for them. 0: none."
          />
          <Check
            name="recoveryCodesEnabled"
            values={v}
            text="Recovery codes are issued and accepted"
          />
          <Check
            name="trustedDevicesEnabled"
            values={v}
            text="Users may trust a device to skip the code"
          />
          <NumberInput name="trustedDeviceDays" values={v} errors={e} />
        </fieldset>
        <fieldset>
          <legend>Authenticator codes (for new enrollments)</legend>
          <label for="totpAlgorithm">{POLICY_LABELS.totpAlgorithm}</label>
          <select id="totpAlgorithm" name="totpAlgorithm" {...described(e, "totpAlgorithm")}>
            {["SHA1", "SHA256", "SHA512"].map((a) => (
              <option value={a} selected={v.totpAlgorithm === a}>
                {a === "SHA1" ? "SHA1 (works with every app)" : a}
              </option>
            ))}
          </select>
          <ErrorText id="totpAlgorithm-error" message={e.totpAlgorithm} />
          <NumberInput name="totpDigits" values={v} errors={e} />
          <NumberInput name="totpPeriod" values={v} errors={e} />
          <NumberInput name="totpWindow" values={v} errors={e} />
        </fieldset>
        <fieldset>
          <legend>Alerts</legend>
          <NumberInput name="alertThreshold" values={v} errors={e} />
          <NumberInput name="alertWindowMinutes" values={v} errors={e} />
        </fieldset>
        <button type="submit" id="preview-button">Preview the change</button>
      </form>

      <h2 id="password-policy">Passwords</h2>
      <form
        method="post"
        action="/admin/password-policy"
        novalidate
        aria-labelledby="password-policy"
      >
        <CsrfField token={props.csrf} />
        <label for="minLength">Minimum length</label>
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
        <label for="minClasses">Kinds of characters required</label>
        <select id="minClasses" name="minClasses" {...described(pe, "minClasses")}>
          {["1", "2", "3", "4"].map((n) => (
            <option value={n} selected={pv.minClasses === n}>
              {n === "1" ? "1 (no rule)" : `${n} of lower case, upper case, digits, symbols`}
            </option>
          ))}
        </select>
        <ErrorText id="minClasses-error" message={pe.minClasses} />
        <label class="check">
          <input type="checkbox" name="forbidUsername" value="on" checked={!!pv.forbidUsername} />
          Refuse passwords that contain the username
        </label>
        <label class="check">
          <input type="checkbox" name="forbidCommon" value="on" checked={!!pv.forbidCommon} />
          Refuse common passwords (49,000 from leaked lists)
        </label>
        <button type="submit">Save the password policy</button>
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

function shown(value: unknown): string {
  if (Array.isArray(value)) return value.length ? value.join(", ") : "none";
  if (typeof value === "boolean") return value ? "on" : "off";
  return String(value);
}

export function PolicyPreviewPage(props: {
  csrf: string;
  values: FormValues;
  before: LoginPolicy;
  after: LoginPolicy;
  wouldBlock: string[];
}) {
  const changed = (Object.keys(POLICY_LABELS) as (keyof LoginPolicy)[])
    .filter((k) => shown(props.before[k]) !== shown(props.after[k]));
  const n = props.wouldBlock.length;
  return (
    <AdminLayout title="Preview the policy change" csrf={props.csrf} current="policy" wide>
      {n
        ? (
          <div class="emergency" id="would-block">
            <p>
              <strong>
                This change would block {n} user{n === 1 ? "" : "s"} who {n === 1 ? "is" : "are"}
                {" "}
                not enrolled.
              </strong>{" "}
              At their next sign-in they must set up an authenticator before they get in:
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
        : (
          <p class="notice" id="would-block">
            This change blocks nobody: every user it requires 2FA for is enrolled or has a grace
            period.
          </p>
        )}
      <h2>Changes</h2>
      {changed.length === 0 ? <p>Nothing changes.</p> : (
        <table id="policy-changes">
          <thead>
            <tr>
              <th scope="col">Setting</th>
              <th scope="col">Now</th>
              <th scope="col">After</th>
            </tr>
          </thead>
          <tbody>
            {changed.map((k) => (
              <tr>
                <th scope="row">{POLICY_LABELS[k]}</th>
                <td>{shown(props.before[k])}</td>
                <td>{shown(props.after[k])}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <form method="post" action="/admin/policy" class="inline">
        <CsrfField token={props.csrf} />
        <HiddenValues values={props.values} />
        <input type="hidden" name="confirm" value="1" />
        <button type="submit" id="save-policy">Save</button>
      </form>{" "}
      <form method="post" action="/admin/policy" class="inline">
        <CsrfField token={props.csrf} />
        <HiddenValues values={props.values} />
        <input type="hidden" name="edit" value="1" />
        <button type="submit" class="secondary">Back to the form</button>
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
    <AdminLayout title="Audit log" csrf={props.csrf} current="audit" wide>
      <form method="get" action="/admin/audit" class="filters" role="search">
        {input("user", "User (name or id)")}
        {input("event", "Event type starts with", "text", "event-hint")}
        {input("from", "From (UTC)", "datetime-local", "time-hint")}
        {input("to", "To (UTC)", "datetime-local", "time-hint")}
        <div class="submit">
          <button type="submit">Filter</button>
        </div>
      </form>
      <p class="muted">
        <span id="event-hint">e.g. "admin." or "login.second_factor".</span>{" "}
        <span id="time-hint">Times are UTC; "To" includes its whole minute.</span>
      </p>
      <p>
        {props.rows.length === props.limit
          ? `The newest ${props.limit} events.`
          : `${props.rows.length} event${props.rows.length === 1 ? "" : "s"}, newest first.`}{" "}
        <a href={props.csvHref} id="export-csv" download>Export CSV</a>{" "}
        <span class="muted">(up to 10,000 events with these filters)</span>
      </p>
      {props.rows.length === 0 ? <p>No events match.</p> : (
        <table id="audit">
          <thead>
            <tr>
              <th scope="col">When (UTC)</th>
              <th scope="col">Event</th>
              <th scope="col">Outcome</th>
              <th scope="col">User</th>
              <th scope="col">Address</th>
              <th scope="col">Detail</th>
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
      )}
    </AdminLayout>
  );
}
