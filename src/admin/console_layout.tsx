/** @module What every admin console page shares: its layout with the console's navigation, and how a user's status and lists read. */
import type { Child } from "hono/jsx";
import { t } from "../i18n/i18n.ts";
import { Notices, when } from "../views/components.tsx";
import { Layout } from "../views/layout.tsx";
import type { AdminUserView, StatusFilter } from "./service.ts";

type Section =
  | "dashboard"
  | "users"
  | "sessions"
  | "blocks"
  | "policy"
  | "settings"
  | "audit"
  | "access"
  | "api_keys"
  | "apps";

function AdminNav(props: { current?: Section }) {
  const link = (section: Section, href: string, text: string) => (
    <a href={href} aria-current={props.current === section ? "page" : undefined}>{text}</a>
  );
  return (
    <nav class="admin" aria-label={t("admin.nav.label")}>
      {link("dashboard", "/admin", t("admin.nav.dashboard"))}
      {link("users", "/admin/users", t("admin.nav.users"))}
      {link("sessions", "/admin/sessions", t("admin.nav.sessions"))}
      {link("blocks", "/admin/ip-blocks", t("admin.nav.blocks"))}
      {link("policy", "/admin/policy", t("admin.nav.policy"))}
      {link("settings", "/admin/security-settings", t("admin.nav.settings"))}
      {link("audit", "/admin/audit", t("admin.nav.audit"))}
      {link("access", "/admin/access", t("admin.nav.access"))}
      {link("api_keys", "/admin/api-keys", t("admin.nav.api_keys"))}
      {link("apps", "/admin/apps", t("admin.nav.apps"))}
      <a href="/account">{t("admin.nav.account")}</a>
    </nav>
  );
}

/** The page layout with the console's navigation (`current` marks the section) and notices. */
export function AdminLayout(props: {
  title: string;
  /** The page's own props: the CSRF token, and the notice and error to show. */
  page: { csrf: string; notice?: string; error?: string };
  current?: Section;
  wide?: boolean;
  languageBase?: string;
  script?: boolean;
  children: Child;
}) {
  return (
    <Layout
      title={props.title}
      signedIn
      csrf={props.page.csrf}
      wide={props.wide}
      nav={<AdminNav current={props.current} />}
      languageBase={props.languageBase}
      script={props.script}
    >
      <Notices notice={props.page.notice} error={props.page.error} errorId="page-error" />
      {props.children}
    </Layout>
  );
}

/** A 2FA status in the page's language. */
export const statusLabel = (status: StatusFilter) => t(`admin.status.${status}`);

/** A user's 2FA status, with the end of a grace period. */
export function StatusCell(props: { view: AdminUserView }) {
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

/** Role or group names, or a dash for none. */
export const list = (names: string[]) => (names.length ? names.join(", ") : "—");

/** An audit event's or an alert's JSON detail as an object (empty when it is not one). */
export function detailOf(json: string): Record<string, unknown> {
  try {
    const v = JSON.parse(json);
    return v && typeof v === "object" ? v : {};
  } catch {
    return {};
  }
}

/** A link to a user's page by id, named by the username (or the id, once the user is gone). */
export function UserLink(
  props: { userId: string | null; username: string | null; none?: string },
) {
  return (
    <>
      {props.userId
        ? <a href={`/admin/users/${props.userId}`}>{props.username ?? props.userId}</a>
        : props.username ?? props.none}
    </>
  );
}

/** A search box of a search form. */
export function SearchField(props: { id: string; label: string; value?: string }) {
  return (
    <div>
      <label for={props.id}>{props.label}</label>
      <input
        id={props.id}
        name={props.id}
        type="search"
        value={props.value ?? ""}
        maxlength={128}
      />
    </div>
  );
}

/**
 * The line above a filtered list: how many it shows, then (while filtered) a link that clears
 * the filter, then another link (`more`), each after a dot.
 */
export function ListCount(props: { id: string; count: Child; clear?: string; more?: Child }) {
  const dotted = (link: Child) => (
    <>
      {" · "}
      {link}
    </>
  );
  return (
    <p>
      <span id={props.id}>{props.count}</span>
      {props.clear ? dotted(<a href={props.clear}>{t("admin.users.clear")}</a>) : null}
      {props.more ? dotted(props.more) : null}
    </p>
  );
}

/** A search form over a list (GET, so that its URL can be shared), with its Filter button. */
export function SearchForm(props: { action: string; label: string; children: Child }) {
  return (
    <form method="get" action={props.action} class="filters" role="search" aria-label={props.label}>
      {props.children}
      <div class="submit">
        <button type="submit">{t("admin.filter")}</button>
      </div>
    </form>
  );
}
