/** @module The admin console's front page: emergency access, open alerts, users by 2FA status. */
import type { AlertRow } from "../alerts/service.ts";
import { t, tj } from "../i18n/i18n.ts";
import { DataTable, when } from "../views/components.tsx";
import { Layout } from "../views/layout.tsx";
import type { AuditRow } from "./audit_page.tsx";
import { AdminLayout, detailOf, statusLabel, UserLink } from "./console_layout.tsx";
import type { StatusFilter } from "./service.ts";

/** For a signed-in user who is not an admin (or has no second factor yet). */
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

const usersHref = (status?: StatusFilter) =>
  status ? `/admin/users?status=${status}` : "/admin/users";

/** An open alert, in words. */
function alertText(a: AlertRow): string {
  if (a.kind === "account_reported") {
    return t("admin.alerts.reported", { username: a.username ?? "?" });
  }
  if (a.kind !== "second_factor_failures") return a.kind;
  const d = detailOf(a.detail);
  return t("admin.alerts.failures", {
    failures: typeof d.failures === "number" ? d.failures : t("admin.alerts.several"),
    minutes: typeof d.window_minutes === "number" ? d.window_minutes : t("admin.alerts.few"),
  });
}

/** Recent emergency access (a reset from the command line), shown until it ages out. */
function Emergencies(props: { emergencies: AuditRow[] }) {
  if (!props.emergencies.length) return null;
  return (
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
                d.mode === "pass" ? "admin.emergency.reset_pass" : "admin.emergency.reset_plain",
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
  );
}

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
    <AdminLayout title={t("admin.dashboard.title")} page={props} current="dashboard" wide>
      <Emergencies emergencies={props.emergencies} />

      <h2>{t("admin.alerts.title")}</h2>
      <DataTable
        id="alerts"
        label={t("admin.alerts.title")}
        columns={[
          [t("admin.col.when"), (a) => <td>{when(a.at)}</td>],
          [t("admin.col.user"), (a) => (
            <td>
              <UserLink userId={a.userId} username={a.username} />
            </td>
          )],
          [t("admin.col.what"), (a) => <td>{alertText(a)}</td>],
        ]}
        rows={props.alerts}
        actions={{
          csrf: props.csrf,
          buttons: (a) => [{ action: `/admin/alerts/${a.id}/ack`, label: t("admin.alerts.ack") }],
        }}
        empty={<p id="no-alerts">{t("admin.alerts.none")}</p>}
      />

      <h2>{t("admin.counts.title")}</h2>
      <table id="status-counts" class="compact">
        <thead>
          <tr>
            <th scope="col">{t("admin.col.status")}</th>
            <th scope="col">{t("admin.col.users")}</th>
          </tr>
        </thead>
        <tbody>
          {[...statuses, "total" as const].map((s) => (
            <tr>
              <th scope="row">
                <a href={usersHref(s === "total" ? undefined : s)}>
                  {s === "total" ? t("admin.counts.all") : statusLabel(s)}
                </a>
              </th>
              <td data-status={s}>{props.counts[s]}</td>
            </tr>
          ))}
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
