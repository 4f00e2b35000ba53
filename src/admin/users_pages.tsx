/** @module The admin console's user list (search, filter by 2FA status, pages) and the new-user form. */
import { t, tp } from "../i18n/i18n.ts";
import { Check, DataTable, Field, type FormErrors, type FormValues } from "../views/components.tsx";
import { CsrfField } from "../views/layout.tsx";
import {
  AdminLayout,
  list,
  ListCount,
  SearchField,
  SearchForm,
  StatusCell,
  statusLabel,
} from "./console_layout.tsx";
import type { AdminUserView, StatusFilter } from "./service.ts";

const STATUSES: StatusFilter[] = [
  "enrolled",
  "not_enrolled",
  "required_not_enrolled",
  "grace",
  "locked",
];

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
    <AdminLayout title={t("admin.nav.users")} page={props} current="users" wide>
      <SearchForm action="/admin/users" label={t("admin.users.search_label")}>
        <SearchField id="q" label={t("admin.users.search")} value={props.q} />
        <div>
          <label for="status">{t("admin.users.status")}</label>
          <select id="status" name="status">
            <option value="" selected={!props.status}>{t("admin.users.any")}</option>
            {STATUSES.map((s) => (
              <option value={s} selected={props.status === s}>{statusLabel(s)}</option>
            ))}
          </select>
        </div>
      </SearchForm>
      <ListCount
        id="user-count"
        count={tp("admin.users.count", props.total)}
        clear={props.q || props.status ? "/admin/users" : undefined}
        more={<a href="/admin/users/new">{t("admin.new_user.title")}</a>}
      />
      <DataTable
        id="users"
        label={t("admin.nav.users")}
        columns={[
          [t("login.username"), (v) => (
            <th scope="row">
              <a href={`/admin/users/${v.user.id}`}>{v.user.displayName}</a>
              {v.user.isService ? <span class="muted">{t("admin.users.service")}</span> : null}
            </th>
          )],
          [t("admin.user.email"), (v) => (
            <td>
              {v.user.email ?? <span class="muted">{t("admin.users.no_email")}</span>}
            </td>
          )],
          [t("admin.col.roles"), (v) => <td>{list(v.roles)}</td>],
          [t("admin.col.groups"), (v) => <td>{list(v.groups)}</td>],
          [t("admin.users.status"), (v) => (
            <td>
              <StatusCell view={v} />
            </td>
          )],
          [t("admin.col.locked"), (v) => <td>{v.locked ? t("admin.status.locked") : "—"}</td>],
          [
            t("admin.col.disabled"),
            (v) => <td>{v.user.disabled ? t("admin.users.disabled") : "—"}</td>,
          ],
        ]}
        rowAttrs={(v) => ({ "data-user": v.user.username })}
        rows={props.users}
        empty={<p>{t("admin.users.none")}</p>}
      />
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
    <AdminLayout title={t("admin.new_user.title")} page={props} current="users">
      <form method="post" action="/admin/users/new" novalidate>
        <CsrfField token={props.csrf} />
        <Field
          id="username"
          label={t("login.username")}
          value={v.username ?? ""}
          autocomplete="off"
          maxlength={64}
          required
          autofocus
          error={e.username}
        />
        <Field
          id="password"
          label={t("admin.new_user.password")}
          type="password"
          autocomplete="new-password"
          maxlength={1024}
          hint={t("admin.new_user.password_hint")}
          error={e.password}
        />
        {(["roles", "groups"] as const).map((name) => (
          <Field
            id={name}
            label={t(`admin.col.${name}`)}
            value={v[name] ?? ""}
            autocomplete="off"
            hint={t(`admin.new_user.${name}_hint`)}
            error={e[name]}
          />
        ))}
        <Field
          id="email"
          label={t("admin.new_user.email")}
          type="email"
          value={v.email ?? ""}
          autocomplete="off"
          maxlength={254}
          error={e.email}
        />
        <Check
          name="service_account"
          checked={!!v.service_account}
          label={t("admin.new_user.service")}
        />
        <button type="submit">{t("admin.new_user.submit")}</button>
      </form>
    </AdminLayout>
  );
}
