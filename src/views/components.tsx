/**
 * @module The small parts that pages share: a data table, a labelled field with its error, a
 * check box, a one-button action form, a definition list, the page's notices, and the date format.
 * Pure functions of their props, like the pages that use them.
 */
import type { Child, JSX } from "hono/jsx";
import { localize, t } from "../i18n/i18n.ts";
import { CopyButton, CsrfField, ErrorText, Layout, TableScroll } from "./layout.tsx";

/** Field name -> message, for re-rendered forms. */
export type FormErrors = Record<string, string | undefined>;
/** Field name -> the text the user entered, for re-rendered forms. */
export type FormValues = Record<string, string | undefined>;

/** A time as the pages show it: minutes, in UTC ("never" for none). */
export function when(ms: number | null): string {
  return ms === null
    ? t("common.never")
    : new Date(ms).toISOString().replace("T", " ").slice(0, 16) + " UTC";
}

/**
 * Attributes that tie an input to its error message (or, while it has none, to its hint), for
 * inputs that are not a Field (a select).
 */
export function described(errors: FormErrors, field: string, hint?: string) {
  return errors[field]
    ? { "aria-invalid": "true", "aria-describedby": `${field}-error` }
    : hint
    ? { "aria-describedby": hint }
    : {};
}

/** The page's outcome line: a notice (status) and an error (alert), each only when set. */
export function Notices(props: { notice?: string; error?: string; errorId?: string }) {
  return (
    <>
      {props.notice ? <p class="notice" role="status">{localize(props.notice)}</p> : null}
      {props.error
        ? <p class="error" role="alert" id={props.errorId}>{localize(props.error)}</p>
        : null}
    </>
  );
}

type FieldOwnProps = {
  label: Child;
  /** The message under the input; while set, the input is invalid and described by it. */
  error?: string;
  /** The id of that message; `<id>-error` unless given. */
  errorId?: string;
  /** A hint under the input, which describes it while there is no error. */
  hint?: Child;
  /** The id of that hint; `<id>-hint` unless given. */
  hintId?: string;
  /** Without an error: what describes the input instead (a message elsewhere, a shared hint). */
  describedBy?: string;
  /** Without an error of its own: marks the input invalid (a message elsewhere says why). */
  invalid?: boolean;
  /** A textarea of that many rows instead of an input; `value` becomes its text. */
  rows?: number;
};
type FieldProps = JSX.IntrinsicElements["input"] & FieldOwnProps & { id: string };

/**
 * A labelled input, then its hint and its error. The input's `name` is its id unless given, and
 * `aria-invalid`/`aria-describedby` follow from the error, the hint or `describedBy`.
 */
export function Field(props: FieldProps) {
  const { id, name, label, error, errorId, hint, hintId, describedBy, invalid, rows, ...input } =
    props;
  const errorAt = errorId ?? `${id}-error`;
  const hintAt = hint ? hintId ?? `${id}-hint` : undefined;
  const aria = error
    ? { "aria-invalid": "true", "aria-describedby": errorAt }
    : { "aria-invalid": invalid ? "true" : undefined, "aria-describedby": describedBy ?? hintAt };
  const attrs = { id, name: name ?? id, ...input, ...aria };
  return (
    <>
      <label for={props.id}>{label}</label>
      {rows
        ? (
          <textarea {...attrs} value={undefined} rows={rows}>
            {props.value}
          </textarea>
        )
        : <input {...attrs} />}
      {hint ? <p class="muted" id={hintAt}>{hint}</p> : null}
      <ErrorText id={errorAt} message={error} />
    </>
  );
}

/**
 * A labelled select of `options` (value, text) with `value` selected, then its error: the one
 * `errors` holds for `field` (the select's id unless given).
 */
export function Select(props: {
  id: string;
  label: Child;
  options: [value: string, text: Child][];
  value?: string;
  errors: FormErrors;
  field?: string;
}) {
  const field = props.field ?? props.id;
  return (
    <>
      <label for={props.id}>{props.label}</label>
      <select id={props.id} name={props.id} {...described(props.errors, field)}>
        {props.options.map(([value, text]) => (
          <option value={value} selected={props.value === value}>{text}</option>
        ))}
      </select>
      <ErrorText id={`${field}-error`} message={props.errors[field]} />
    </>
  );
}

/** A check box (or a radio button) inside its label. */
export function Check(
  props: {
    name: string;
    label: Child;
    checked?: boolean;
    value?: string;
    type?: "checkbox" | "radio";
    describedBy?: string;
  },
) {
  return (
    <label class="check">
      <input
        type={props.type ?? "checkbox"}
        name={props.name}
        value={props.value ?? "on"}
        checked={props.checked}
        aria-describedby={props.describedBy}
      />
      {props.label}
    </label>
  );
}

/** A one-button form posting to `action` (with the CSRF token): revoke, end, acknowledge... */
export function ActionButton(
  props: {
    csrf: string;
    action: string;
    label: Child;
    danger?: boolean;
    describedBy?: string;
    /** The button's class instead of `small` / `small danger` (null: none). */
    class?: string | null;
    id?: string;
    /** Hidden fields posted with it. */
    fields?: Record<string, string | undefined>;
  },
) {
  return (
    <form method="post" action={props.action} class="inline">
      <CsrfField token={props.csrf} />
      {Object.entries(props.fields ?? {}).map(([name, value]) => (
        <input type="hidden" name={name} value={value ?? ""} />
      ))}
      <button
        type="submit"
        class={props.class === undefined
          ? (props.danger ? "small danger" : "small")
          : props.class ?? undefined}
        id={props.id}
        aria-describedby={props.describedBy}
      >
        {props.label}
      </button>
    </form>
  );
}

/** A table column: its heading, and the cell it draws for a row (a `<td>`, or a row's `<th>`). */
export type Column<T> = [heading: Child, cell: (row: T) => Child];

/** One button of a table's actions column: an `ActionButton` without the CSRF token. */
export type RowAction = Omit<Parameters<typeof ActionButton>[0], "csrf">;

/** The buttons of a row, in the table's last column ("Actions"); none: an empty cell. */
export type RowActions<T> = {
  csrf: string;
  buttons: (row: T) => RowAction[];
  /** The column's heading instead of "Actions". */
  heading?: Child;
};

function actionsColumn<T>(actions: RowActions<T>): Column<T> {
  return [actions.heading ?? t("account.col.actions"), (row) => (
    <td>
      {actions.buttons(row).map((a) => <ActionButton key={a.action} csrf={actions.csrf} {...a} />)}
    </td>
  )];
}

/** A name in a table cell, as a form that renames it: the input (labelled for screen readers), a button. */
export function RenameForm(
  props: { csrf: string; action: string; id: string; name: string; value: string },
) {
  return (
    <form method="post" action={props.action} class="rename">
      <CsrfField token={props.csrf} />
      <label class="visually-hidden" for={props.id}>{t("account.col.name")}</label>
      <input id={props.id} name={props.name} value={props.value} maxlength={64} required />
      <button type="submit" class="small">{t("account.rename")}</button>
    </form>
  );
}

/** A cell of code: an address, an event's name, a client id. */
export const codeCell = (code: Child) => (
  <td>
    <code>{code}</code>
  </td>
);

const columnHeading = (heading: Child) => <th scope="col">{heading}</th>;

/** A table's head: one row of column headings. */
export function TableHead(props: { columns: Child[] }) {
  return (
    <thead>
      <tr>{props.columns.map(columnHeading)}</tr>
    </thead>
  );
}

/**
 * A table of `rows` in `columns`, scrolling sideways on a narrow screen (`label` names it for
 * the keyboard). With no rows it shows `empty` instead, when given.
 */
export function DataTable<T>(props: {
  id: string;
  label: string;
  /** The label is also the section's heading: an `<h2>` above the table (or above `empty`). */
  heading?: boolean;
  rows: T[];
  columns: Column<T>[];
  /** Attributes of a row's `<tr>` (a class, data-*). */
  rowAttrs?: (row: T) => Record<string, string | undefined>;
  /** Buttons for each row, in a last column. */
  actions?: RowActions<T>;
  empty?: Child;
}) {
  const heading = props.heading ? <h2>{props.label}</h2> : null;
  if (props.rows.length === 0 && props.empty !== undefined) return <>{heading}{props.empty}</>;
  const columns = props.actions ? [...props.columns, actionsColumn(props.actions)] : props.columns;
  return (
    <>
      {heading}
      <TableScroll label={props.label}>
        <table id={props.id}>
          <TableHead columns={columns.map(([heading]) => heading)} />
          <tbody>
            {props.rows.map((row) => (
              <tr {...props.rowAttrs?.(row)}>{columns.map(([, cell]) => cell(row))}</tr>
            ))}
          </tbody>
        </table>
      </TableScroll>
    </>
  );
}

/**
 * A table of what a user has (authenticators, security keys), under its heading: a name cell
 * (`name` draws it), when each was added and last used, then `more` columns and the row's buttons.
 */
export function OwnedTable<T extends { createdAt: number; lastUsedAt: number | null }>(props: {
  id: string;
  label: string;
  rows: T[];
  name: Column<T>[1];
  more?: Column<T>[];
  actions?: RowActions<T>;
  empty: Child;
}) {
  const { name, more = [], ...table } = props;
  return (
    <DataTable
      {...table}
      heading
      columns={[
        [t("account.col.name"), name],
        [t("account.col.added"), (row) => <td>{when(row.createdAt)}</td>],
        [t("account.col.last_used"), (row) => <td>{when(row.lastUsedAt)}</td>],
        ...more,
      ]}
    />
  );
}

/** A definition list of facts: a term, and its value (with an id for tests and links). */
export function Facts(props: {
  id: string;
  items: ({ term: Child; value: Child; id?: string } | null)[];
}) {
  return (
    <dl class="facts" id={props.id}>
      {props.items.map((item) =>
        item
          ? (
            <>
              <dt>{item.term}</dt>
              <dd id={item.id}>{item.value}</dd>
            </>
          )
          : null
      )}
    </dl>
  );
}

/** A secret shown once (a new token, a new key): its value with a copy button, then the way back. */
export function SecretOnce(
  props: { id: string; value: string; back: [href: string, text: string] },
) {
  return (
    <>
      <p class="copyable">
        <code class="secret" id={props.id}>{props.value}</code>{" "}
        <CopyButton target={props.id} label={t("tokens.copy")} />
      </p>
      <p>
        <a href={props.back[0]}>{props.back[1]}</a>
      </p>
    </>
  );
}

/** A hidden field, left out when it has no value (a checked return URL, say). */
export function Hidden(props: { name: string; value?: string }) {
  return props.value ? <input type="hidden" name={props.name} value={props.value} /> : null;
}

type InputAttrs = JSX.IntrinsicElements["input"] & { id?: string };

/** A Field with attributes preset for one kind of input; the caller's props come after them. */
function preset(defaults: InputAttrs) {
  return (props: InputAttrs & FieldOwnProps) => <Field {...defaults} {...props as FieldProps} />;
}

/** A one-time code from an authenticator app: numeric keyboard, autofill from the app. */
export const CodeField = preset({
  name: "code",
  autocomplete: "one-time-code",
  inputmode: "numeric",
  maxlength: 12,
  required: true,
});

/** A whole number (typed on a numeric keyboard). */
export const NumberField = preset({ type: "number", inputmode: "numeric", required: true });

/** How many days until a new token or API key expires (empty: the default). */
export function ExpiryDaysField(props: InputAttrs & Partial<FieldOwnProps> & { id: string }) {
  return (
    <Field
      name="expires_in_days"
      type="number"
      inputmode="numeric"
      min={1}
      label={t("tokens.expires_in_days")}
      {...props}
    />
  );
}

/**
 * A code the user was given or wrote down (a recovery code, an enrollment pass): typed as it
 * stands (no autofill), required, and focused.
 */
export function WrittenCodeField(props: FieldProps) {
  const { autocapitalize, spellcheck, maxlength, ...field } = props;
  return (
    <Field
      autocomplete="off"
      autocapitalize={autocapitalize}
      spellcheck={spellcheck}
      maxlength={maxlength}
      required
      autofocus
      {...field}
    />
  );
}

/** The user's current password. */
export const PasswordField = preset({
  id: "password",
  type: "password",
  autocomplete: "current-password",
  required: true,
});

/** A password being chosen (the browser may offer to make one up and save it). */
export const NewPasswordField = preset({
  type: "password",
  autocomplete: "new-password",
  required: true,
});

/** A username, as typed to sign in (no capitals or spelling fixes forced on it). */
export const UsernameField = preset({
  id: "username",
  autocomplete: "username",
  autocapitalize: "none",
  spellcheck: false,
  required: true,
  autofocus: true,
});

/**
 * A page that is one form: an introduction, the form (with the CSRF token, and the return URL
 * posted back and kept by the language links), then what follows it (links, a cancel button).
 */
export function FormPage(props: {
  /** The page's own props: the CSRF token, and a checked return URL. */
  page: { csrf: string; redirect?: string };
  /** The page's title, and the introduction above the form. */
  text: [title: string, intro?: Child];
  action: string;
  /** Other checked query parameters for the language links to keep (instead of `redirect`). */
  keep?: Record<string, string | undefined>;
  signedIn?: boolean;
  /** Loads /assets/app.js (a WebAuthn button, say). */
  script?: boolean;
  /** Above the introduction: a notice. */
  before?: Child;
  children: Child;
  after?: Child;
}) {
  const { csrf, redirect } = props.page;
  const [title, intro] = props.text;
  return (
    <Layout
      title={title}
      signedIn={props.signedIn}
      csrf={csrf}
      keep={props.keep ?? { redirect }}
      script={props.script}
    >
      {props.before}
      {intro ? <p>{intro}</p> : null}
      <form method="post" action={props.action} novalidate>
        <CsrfField token={csrf} />
        <Hidden name="redirect" value={redirect} />
        {props.children}
      </form>
      {props.after}
    </Layout>
  );
}
