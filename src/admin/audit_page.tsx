/** @module The audit log in the admin console: filters, the newest events, a CSV export. */
import type { auditEvents } from "../db/schema.ts";
import { t, tp } from "../i18n/i18n.ts";
import {
  codeCell,
  DataTable,
  Field,
  type FormErrors,
  type FormValues,
  when,
} from "../views/components.tsx";
import { AdminLayout, SearchForm, UserLink } from "./console_layout.tsx";

export type AuditRow = typeof auditEvents.$inferSelect;

/** An event's detail as compact JSON (nothing for an empty object). */
function detailText(json: string): string {
  try {
    const v = JSON.parse(json);
    return v && typeof v === "object" && Object.keys(v).length === 0 ? "" : JSON.stringify(v);
  } catch {
    return json;
  }
}

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
      <Field
        id={name}
        label={label}
        type={type}
        value={f[name] ?? ""}
        error={e[name]}
        describedBy={hint}
      />
    </div>
  );
  return (
    <AdminLayout title={t("admin.nav.audit")} page={props} current="audit" wide>
      <SearchForm action="/admin/audit" label={t("admin.audit.search_label")}>
        {input("user", t("admin.audit.user"))}
        {input("event", t("admin.audit.event"), "text", "event-hint")}
        {input("from", t("admin.audit.from"), "datetime-local", "time-hint")}
        {input("to", t("admin.audit.to"), "datetime-local", "time-hint")}
      </SearchForm>
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
      <DataTable
        id="audit"
        label={t("admin.nav.audit")}
        columns={[
          [t("admin.col.when_utc"), (r) => <td class="nowrap">{when(r.at)}</td>],
          [t("admin.col.event"), (r) => codeCell(r.event)],
          [t("admin.col.outcome"), (r) => <td>{r.outcome}</td>],
          [t("admin.col.user"), (r) => (
            <td>
              <UserLink userId={r.userId} username={r.username} none="—" />
            </td>
          )],
          [t("admin.col.address"), (r) => <td>{r.ip ?? "—"}</td>],
          [t("admin.col.detail"), (r) => (
            <td class="detail">
              <Detail text={detailText(r.detail)} />
            </td>
          )],
        ]}
        rowAttrs={(r) => ({ class: r.event.startsWith("emergency.") ? "emergency" : undefined })}
        rows={props.rows}
        empty={<p>{t("admin.audit.none")}</p>}
      />
    </AdminLayout>
  );
}
