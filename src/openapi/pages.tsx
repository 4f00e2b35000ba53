/**
 * @module The API reference page (`/api/docs`): the OpenAPI document rendered on the server,
 * one section per operation. Reads only the document, so the page and `/api/v1/openapi.json`
 * always say the same thing. No scripts, no styles of its own (the CSP allows neither).
 */
import type { Json, OpenApiDocument } from "./document.ts";
import { TableHead } from "../views/components.tsx";
import { Layout } from "../views/layout.tsx";

const METHODS = ["get", "put", "post", "patch", "delete"] as const;

type Operation = { method: string; path: string; op: Json };

function operationsByTag(doc: OpenApiDocument): Map<string, Operation[]> {
  const out = new Map<string, Operation[]>(doc.tags.map((t) => [t.name, []]));
  for (const [path, item] of Object.entries(doc.paths)) {
    for (const method of METHODS) {
      const op = item[method];
      if (!op) continue;
      const tag = op.tags?.[0] ?? "other";
      if (!out.has(tag)) out.set(tag, []);
      out.get(tag)!.push({ method: method.toUpperCase(), path, op });
    }
  }
  return out;
}

const refName = (ref: string) => ref.split("/").pop() ?? ref;

/** Description text, with CommonMark's `code spans` (all the markup ours use) as <code>. */
function Text(props: { text?: string }) {
  if (!props.text) return null;
  return <>{props.text.split("`").map((part, i) => (i % 2 ? <code>{part}</code> : part))}</>;
}

/** A JSON Schema in a few words: "string (date-time)", "array of string", `"a" or "b"`. */
export function typeLabel(schema: Json): string {
  if (!schema || typeof schema !== "object") return "any";
  if (schema.$ref) return refName(schema.$ref);
  if ("const" in schema) return JSON.stringify(schema.const);
  if (Array.isArray(schema.enum)) {
    return schema.enum.map((v: unknown) => JSON.stringify(v)).join(" | ");
  }
  const variants = schema.anyOf ?? schema.oneOf;
  if (Array.isArray(variants)) return variants.map(typeLabel).join(" or ");
  const types: string[] = Array.isArray(schema.type)
    ? schema.type
    : schema.type
    ? [schema.type]
    : [];
  if (!types.length) return "any";
  return types.map((t) => {
    if (t === "array") return `array of ${typeLabel(schema.items)}`;
    if (t === "string" && schema.format) return `string (${schema.format})`;
    if (t === "object" && schema.additionalProperties && !schema.properties) {
      return `map of ${typeLabel(schema.additionalProperties)}`;
    }
    return t;
  }).join(" or ");
}

/** Limits and defaults of a schema, in words. */
export function constraints(schema: Json): string {
  if (!schema || typeof schema !== "object") return "";
  const parts: string[] = [];
  const range = (min: unknown, max: unknown, unit: string) => {
    if (min !== undefined && max !== undefined) parts.push(`${min}–${max}${unit}`);
    else if (min !== undefined) parts.push(`at least ${min}${unit}`);
    else if (max !== undefined) parts.push(`at most ${max}${unit}`);
  };
  range(schema.minLength, schema.maxLength, " characters");
  range(schema.minimum, schema.maximum, "");
  range(schema.minItems, schema.maxItems, " items");
  if (schema.items) {
    const inner = constraints(schema.items);
    if (inner) parts.push(`each ${inner}`);
  }
  if (schema.additionalProperties === false) parts.push("no other fields");
  if ("default" in schema) parts.push(`default ${JSON.stringify(schema.default)}`);
  return parts.join("; ");
}

type Field = { name: string; schema: Json; required: boolean };

/** The fields of an object schema, one nesting level deep as `parent.child`. */
function fields(schema: Json, prefix = "", depth = 0): Field[] {
  if (!schema || typeof schema !== "object" || !schema.properties) return [];
  const required = new Set<string>(schema.required ?? []);
  const out: Field[] = [];
  for (const [name, property] of Object.entries<Json>(schema.properties)) {
    const full = prefix + name;
    out.push({ name: full, schema: property, required: required.has(name) });
    const inner = property.type === "array" ? property.items : property;
    const nested = inner?.anyOf?.find((v: Json) => v.properties) ?? inner;
    if (depth < 1 && nested?.properties) {
      out.push(...fields(nested, `${full}${property.type === "array" ? "[]" : ""}.`, depth + 1));
    }
  }
  return out;
}

/** Named values (a body's fields, or parameters with where they go): type, required, notes. */
function ValuesTable(props: {
  rows: { name: string; in?: string; schema: Json; required?: boolean; description?: string }[];
  first: string;
  where?: boolean;
  caption?: string;
}) {
  const columns = [props.first, ...(props.where ? ["In"] : []), "Type", "Required", "Notes"];
  return (
    <table>
      {props.caption ? <caption class="visually-hidden">{props.caption}</caption> : null}
      <TableHead columns={columns} />
      <tbody>
        {props.rows.map((v) => (
          <tr>
            <td>
              <code>{v.name}</code>
            </td>
            {props.where ? <td>{v.in}</td> : null}
            <td>{typeLabel(v.schema)}</td>
            <td>{v.required ? "yes" : "no"}</td>
            <td>
              <Text text={[v.description, constraints(v.schema)].filter(Boolean).join(". ")} />
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

function FieldTable(props: { schema: Json; caption: string }) {
  const rows = fields(props.schema).map((f) => ({ ...f, description: f.schema.description }));
  if (!rows.length) return <p class="muted">{typeLabel(props.schema)}</p>;
  return <ValuesTable rows={rows} first="Field" caption={props.caption} />;
}

/** A body schema: its fields, or one table per variant of a union. */
function SchemaView(props: { schema: Json; caption: string }) {
  const variants: Json[] | undefined = props.schema?.anyOf ?? props.schema?.oneOf;
  if (variants && variants.every((v) => v.properties)) {
    return (
      <>
        <p>One of:</p>
        {variants.map((v, i) => (
          <FieldTable schema={v} caption={`${props.caption}, variant ${i + 1}`} />
        ))}
      </>
    );
  }
  return <FieldTable schema={props.schema} caption={props.caption} />;
}

function securityLabel(doc: OpenApiDocument, security: Json[] | undefined): string {
  if (!security?.length) return "none";
  return security.map((req) =>
    Object.entries<string[]>(req).map(([scheme, roles]) => {
      const name = scheme === "session"
        ? "session token"
        : scheme === "pending"
        ? "pending token"
        : scheme === "apiKey"
        ? "API key"
        : scheme === "sessionCookie"
        ? "session cookie"
        : scheme;
      if (!(scheme in doc.components.securitySchemes)) return `${name} (unknown)`;
      if (!roles.length) return name;
      return scheme === "apiKey" ? `${name} (scope ${roles.join(" or ")})` : `${name} (${roles})`;
    }).join(" and ")
  ).join(", or ");
}

function OperationView(props: { doc: OpenApiDocument; o: Operation }) {
  const { op, method, path } = props.o;
  const params: Json[] = op.parameters ?? [];
  const body = op.requestBody?.content?.["application/json"]?.schema;
  return (
    <section id={op.operationId}>
      <h3>
        <code>{method} {path}</code>
      </h3>
      <p>{op.summary}</p>
      {op.description
        ? (
          <p class="muted">
            <Text text={op.description} />
          </p>
        )
        : null}
      <p>
        <strong>Auth:</strong> {securityLabel(props.doc, op.security)}
      </p>
      {params.length
        ? (
          <>
            <h4>Parameters</h4>
            <ValuesTable rows={params} first="Name" where />
          </>
        )
        : null}
      {body
        ? (
          <>
            <h4>Request body (JSON)</h4>
            <SchemaView schema={body} caption={`Request body of ${method} ${path}`} />
          </>
        )
        : null}
      <h4>Responses</h4>
      <ul>
        {Object.entries<Json>(op.responses ?? {}).map(([status, r]) => {
          const media = Object.keys(r.content ?? {});
          const codes: string[] = r["x-error-codes"] ?? [];
          return (
            <li>
              <strong>{status}</strong> {codes.length
                ? (
                  <>
                    <code>Error</code>: {codes.map((c, i) => (
                      <>
                        {i ? ", " : ""}
                        <code>{c}</code>
                      </>
                    ))}
                  </>
                )
                : <Text text={r.description} />}
              {media.length && !codes.length
                ? <span class="muted">{` (${media.join(", ")})`}</span>
                : null}
              {r.headers
                ? (
                  <ul>
                    {Object.entries<Json>(r.headers).map(([name, h]) => (
                      <li>
                        <code>{name}</code>: <Text text={h.description} />
                      </li>
                    ))}
                  </ul>
                )
                : null}
            </li>
          );
        })}
      </ul>
      {Object.entries<Json>(op.responses ?? {}).map(([status, r]) => {
        const schema = r.content?.["application/json"]?.schema;
        return schema && !schema.$ref
          ? (
            <>
              <h4>Response {status} body</h4>
              <SchemaView schema={schema} caption={`Response ${status} of ${method} ${path}`} />
            </>
          )
          : null;
      })}
    </section>
  );
}

export function ApiDocsPage(props: { doc: OpenApiDocument }) {
  const { doc } = props;
  const groups = operationsByTag(doc);
  const tagDescription = new Map(doc.tags.map((t) => [t.name, t.description]));
  return (
    <Layout title="API reference" wide>
      <p>
        <Text text={doc.info.description} />
      </p>
      <p>
        The same description as OpenAPI {doc.openapi}:{" "}
        <a href="/api/v1/openapi.json">
          <code>/api/v1/openapi.json</code>
        </a>.
      </p>
      <h2>Credentials</h2>
      <dl class="facts">
        {Object.entries<Json>(doc.components.securitySchemes).map(([name, s]) => (
          <>
            <dt>
              <code>{name}</code>
            </dt>
            <dd>
              <Text text={s.description} />
            </dd>
          </>
        ))}
      </dl>
      <h2>Errors</h2>
      <p>
        Every error answers with the <code>Error</code>{" "}
        shape; each response below names the codes it can carry.
      </p>
      <FieldTable schema={doc.components.schemas.Error} caption="The Error shape" />
      <h2>Operations</h2>
      <nav aria-label="Operations">
        <ul>
          {[...groups].filter(([, ops]) => ops.length).map(([tag, ops]) => (
            <li>
              <a href={`#tag-${tag}`}>{tag}</a>
              <ul>
                {ops.map(({ method, path, op }) => (
                  <li>
                    <a href={`#${op.operationId}`}>
                      <code>{method} {path}</code>
                    </a>{" "}
                    {op.summary}
                  </li>
                ))}
              </ul>
            </li>
          ))}
        </ul>
      </nav>
      {[...groups].filter(([, ops]) => ops.length).map(([tag, ops]) => (
        <section id={`tag-${tag}`}>
          <h2>{tag}</h2>
          {tagDescription.get(tag)
            ? (
              <p class="muted">
                <Text text={tagDescription.get(tag)} />
              </p>
            )
            : null}
          {ops.map((o) => <OperationView key={o.op.operationId} doc={doc} o={o} />)}
        </section>
      ))}
    </Layout>
  );
}
