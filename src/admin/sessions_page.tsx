/** @module The admin console's active sessions: every live session, filterable by user; end one or all. */
import { t, tp } from "../i18n/i18n.ts";
import type { LiveSessionRow } from "../sessions/admin_service.ts";
import { ActionButton, Check, DataTable, when } from "../views/components.tsx";
import { CsrfField } from "../views/layout.tsx";
import { AdminLayout, ListCount, SearchField, SearchForm, UserLink } from "./console_layout.tsx";

/** How a session proved the second factor, in the page's language. */
export function secondFactorLabel(amrJson: string): string {
  const amr: string[] = JSON.parse(amrJson);
  if (amr.includes("otp")) return t("account.method.otp");
  if (amr.includes("rec")) return t("account.method.rec");
  if (amr.includes("dev")) return t("account.method.dev");
  return t("account.method.pwd");
}

export function SessionsPage(props: {
  csrf: string;
  rows: LiveSessionRow[];
  limit: number;
  user?: string;
  currentSessionId: string;
  notice?: string;
  error?: string;
}) {
  const back = props.user ? `/admin/sessions?user=${encodeURIComponent(props.user)}` : undefined;
  return (
    <AdminLayout title={t("admin.sessions.title")} page={props} current="sessions" wide>
      <SearchForm action="/admin/sessions" label={t("admin.sessions.search_label")}>
        <SearchField id="user" label={t("admin.sessions.user")} value={props.user} />
      </SearchForm>
      <ListCount
        id="session-count"
        count={props.rows.length === props.limit
          ? t("admin.sessions.newest", { n: props.limit })
          : tp("admin.sessions.count", props.rows.length)}
        clear={props.user ? "/admin/sessions" : undefined}
      />
      <DataTable
        id="admin-sessions"
        label={t("admin.sessions.title")}
        empty={<p id="no-sessions">{t("admin.sessions.none")}</p>}
        columns={[
          [t("admin.col.user"), (s) => (
            <td>
              <UserLink userId={s.userId} username={s.username} />
              {s.id === props.currentSessionId
                ? <strong class="current">{t("account.this_session")}</strong>
                : null}
            </td>
          )],
          [t("account.col.started"), (s) => <td class="nowrap">{when(s.createdAt)}</td>],
          [t("account.col.last_seen"), (s) => <td class="nowrap">{when(s.lastSeenAt)}</td>],
          [t("account.col.from"), (s) => (
            <td>
              {s.ip ?? t("account.unknown_address")}
              <br />
              <span class="muted">{s.userAgent ?? ""}</span>
            </td>
          )],
          [
            t("admin.sessions.location"),
            (s) => <td>{s.location ?? <span class="muted">{t("admin.sessions.unknown")}</span>}
            </td>,
          ],
          [t("account.col.second_factor"), (s) => <td>{secondFactorLabel(s.amr)}</td>],
          [t("account.col.actions"), (s) => (
            <td>
              <ActionButton
                csrf={props.csrf}
                action={`/admin/sessions/${s.id}/end`}
                label={t("account.end")}
                fields={{ back }}
                danger
              />
            </td>
          )],
        ]}
        rows={props.rows}
      />
      <p>
        <a href="/admin/sessions/end-all" id="end-all-link">{t("admin.sessions.end_all")}</a>
      </p>
    </AdminLayout>
  );
}

/** The confirmation before every session on the system ends. */
export function EndAllSessionsPage(props: { csrf: string; live: number }) {
  return (
    <AdminLayout title={t("admin.sessions.end_all")} page={props} current="sessions">
      <p>{tp("admin.sessions.end_all_intro", props.live)}</p>
      <form method="post" action="/admin/sessions/end-all" novalidate>
        <CsrfField token={props.csrf} />
        <input type="hidden" name="confirm" value="1" />
        <Check name="keep_own" label={t("admin.sessions.keep_own")} />
        <button type="submit" class="danger" id="confirm-button">
          {t("admin.sessions.end_all_confirm")}
        </button>
      </form>
      <p>
        <a href="/admin/sessions">{t("common.cancel")}</a>
      </p>
    </AdminLayout>
  );
}
