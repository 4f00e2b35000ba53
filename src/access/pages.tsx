/**
 * @module The console's access rules page: the rules in force as a table, the "who may reach
 * this URL?" tester (a GET form, so its answer has a URL), and the rules as JSON to edit.
 */
import { AdminLayout } from "../admin/console_layout.tsx";
import { t } from "../i18n/i18n.ts";
import { DataTable, Facts, Field, type FormErrors, type FormValues } from "../views/components.tsx";
import { CsrfField } from "../views/layout.tsx";
import type { AccessDecision, AccessRule, AccessRules } from "./rules.ts";
import { HTTP_METHODS } from "./rules.ts";

const orAny = (items: string[], any: string) => (items.length ? items.join(", ") : any);

function matchText(r: AccessRule): string {
  const parts = [
    r.hosts.length ? r.hosts.join(", ") : null,
    r.paths.length ? r.paths.join(", ") : null,
    r.methods.length ? r.methods.join(", ") : null,
    r.networks.length ? r.networks.join(", ") : null,
  ].filter(Boolean);
  return parts.length ? parts.join(" · ") : t("admin.access.anything");
}

function whoText(r: AccessRule): string {
  return orAny(
    [
      ...r.users.map((u) => `user:${u}`),
      ...r.groups.map((g) => `group:${g}`),
      ...r.roles.map((x) => `role:${x}`),
    ],
    t("admin.access.anyone"),
  );
}

type Row = { n: string; match: string; who: string; action: string; note?: string };

export function AccessRulesPage(props: {
  csrf: string;
  notice?: string;
  error?: string;
  /** The rules in force. */
  rules: AccessRules;
  /** No rules were ever saved: the built-in ones apply. */
  builtin: boolean;
  /** The JSON text in the editor (the rules, or what the admin sent back). */
  documentText: string;
  documentError?: string;
  tester: { values: FormValues; errors: FormErrors; result?: AccessDecision };
}) {
  const rows: Row[] = [
    ...props.rules.rules.map((r, i) => ({
      n: String(i + 1),
      match: matchText(r),
      who: whoText(r),
      action: r.action +
        (r.step_up_minutes ? ` (${t("admin.access.step_up", { n: r.step_up_minutes })})` : ""),
      note: r.description,
    })),
    {
      n: "—",
      match: t("admin.access.default_row"),
      who: t("admin.access.anyone"),
      action: props.rules.default,
    },
  ];
  const result = props.tester.result;
  const v = props.tester.values;
  const e = props.tester.errors;
  return (
    <AdminLayout title={t("admin.access.title")} page={props} current="access" wide>
      <p>{t("admin.access.intro")}</p>
      {props.builtin ? <p class="notice" id="access-builtin">{t("admin.access.builtin")}</p> : null}

      <h2>{t("admin.access.current")}</h2>
      <DataTable
        id="access-rules"
        label={t("admin.access.current")}
        rows={rows}
        columns={[
          [t("admin.access.col.n"), (r) => <td>{r.n}</td>],
          [
            t("admin.access.col.match"),
            (r) => (
              <td>
                {r.match} {r.note ? <span class="muted">({r.note})</span> : null}
              </td>
            ),
          ],
          [t("admin.access.col.who"), (r) => <td>{r.who}</td>],
          [t("admin.access.col.action"), (r) => <td>{r.action}</td>],
        ]}
      />

      <h2 id="tester">{t("admin.access.tester.title")}</h2>
      <form method="get" action="/admin/access#tester" class="filters">
        <Field
          id="test-user"
          name="user"
          label={t("admin.access.tester.user")}
          hint={t("admin.access.tester.user_hint")}
          value={v.user ?? ""}
          error={e.user}
          autocomplete="off"
        />
        <Field
          id="test-url"
          name="url"
          type="url"
          label={t("admin.access.tester.url")}
          value={v.url ?? ""}
          error={e.url}
          required
        />
        <label for="test-method">{t("admin.access.tester.method")}</label>
        <select id="test-method" name="method">
          {HTTP_METHODS.map((m) => (
            <option value={m} selected={(v.method ?? "GET") === m}>{m}</option>
          ))}
        </select>
        <Field
          id="test-ip"
          name="ip"
          label={t("admin.access.tester.ip")}
          value={v.ip ?? ""}
          error={e.ip}
          autocomplete="off"
        />
        <div class="submit">
          <button type="submit">{t("admin.access.tester.submit")}</button>
        </div>
      </form>
      {result
        ? (
          <Facts
            id="access-test-result"
            items={[
              {
                term: t("admin.access.tester.result"),
                value: t(`admin.access.outcome.${result.outcome}`),
                id: "access-test-outcome",
              },
              {
                term: t("admin.access.col.n"),
                value: result.rule === null
                  ? t("admin.access.tester.by_default")
                  : t("admin.access.tester.by_rule", { n: result.rule + 1 }),
                id: "access-test-rule",
              },
            ]}
          />
        )
        : null}

      <h2>{t("admin.access.edit")}</h2>
      <form method="post" action="/admin/access">
        <CsrfField token={props.csrf} />
        <Field
          id="rules"
          name="rules"
          label={t("admin.access.document")}
          hint={t("admin.access.document_hint")}
          rows={18}
          value={props.documentText}
          error={props.documentError}
          spellcheck={false}
          class="mono"
        />
        <button type="submit">{t("admin.access.save")}</button>
      </form>
    </AdminLayout>
  );
}
