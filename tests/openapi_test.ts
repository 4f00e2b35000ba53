/**
 * The OpenAPI document and the app agree: the document lists exactly the JSON routes the app
 * registers; each documented request body and query parameter is the one the route validates
 * (probed through the running app, not read from the code); every answer the app gives while
 * the tests call each operation has a documented status, error code and shape; and the
 * reference page shows every operation without scripts or outside styles.
 */
import type { Hono } from "hono";
import type { Json, OpenApiDocument } from "../src/openapi/document.ts";
import { TAGS } from "../src/openapi/describe.ts";
import { assert, assertEquals } from "./assert.ts";
import {
  addUser,
  api,
  codeNow,
  enrollViaApi,
  nextStep,
  PASSWORD,
  pendingLogin,
  testApp,
  type TestEnv,
} from "./helpers.ts";

const METHODS = ["get", "put", "post", "patch", "delete"];

/** The machine surface: everything under /api/, the JWKS, the health check and the metrics. */
const isJsonRoute = (path: string) =>
  path.startsWith("/api/") ||
  ["/.well-known/jwks.json", "/healthz", "/livez", "/readyz", "/metrics"].includes(path);

const toOpenApiPath = (path: string) => path.replace(/:([A-Za-z0-9_]+)/g, "{$1}");

/** "METHOD /path/{param}" of every JSON route the app has registered (middleware excluded). */
function registeredOperations(app: Hono): string[] {
  const out = new Set<string>();
  for (const r of app.routes) {
    if (r.method === "ALL" || !isJsonRoute(r.path)) continue;
    out.add(`${r.method} ${toOpenApiPath(r.path)}`);
  }
  return [...out].sort();
}

function documentedOperations(doc: OpenApiDocument): string[] {
  const out: string[] = [];
  for (const [path, item] of Object.entries(doc.paths)) {
    for (const method of Object.keys(item)) out.push(`${method.toUpperCase()} ${path}`);
  }
  return out.sort();
}

async function fetchDocument(env: TestEnv): Promise<OpenApiDocument> {
  const r = await api(env, "GET", "/api/v1/openapi.json");
  assertEquals(r.status, 200);
  assert((r.res.headers.get("content-type") ?? "").startsWith("application/json"));
  return r.json;
}

function operationOf(doc: OpenApiDocument, key: string): Json {
  const [method, path] = key.split(" ");
  return doc.paths[path]?.[method.toLowerCase()];
}

/** Resolves a local JSON pointer such as `#/components/schemas/Error`. */
function resolveRef(doc: unknown, ref: string): Json {
  assert(ref.startsWith("#/"), `only local references are used: ${ref}`);
  let node: Json = doc;
  for (const raw of ref.slice(2).split("/")) {
    const part = raw.replaceAll("~1", "/").replaceAll("~0", "~");
    assert(node && typeof node === "object" && part in node, `${ref} does not resolve`);
    node = node[part];
  }
  return node;
}

function collectRefs(node: unknown, out: string[] = []): string[] {
  if (Array.isArray(node)) node.forEach((n) => collectRefs(n, out));
  else if (node && typeof node === "object") {
    for (const [k, v] of Object.entries(node)) {
      if (k === "$ref" && typeof v === "string") out.push(v);
      else collectRefs(v, out);
    }
  }
  return out;
}

// ---- a small JSON Schema check, for the keywords z.toJSONSchema() emits ----

const KNOWN_KEYWORDS = new Set([
  "type",
  "properties",
  "required",
  "additionalProperties",
  "propertyNames",
  "items",
  "anyOf",
  "const",
  "enum",
  "$ref",
  "format",
  "minLength",
  "maxLength",
  "minimum",
  "maximum",
  "minItems",
  "maxItems",
  "default",
  "description",
]);

/** Problems of `value` against `schema` (empty when it conforms). Unknown keywords fail loudly. */
function schemaProblems(doc: OpenApiDocument, schema: Json, value: unknown, at = "$"): string[] {
  for (const k of Object.keys(schema)) {
    if (!KNOWN_KEYWORDS.has(k)) return [`${at}: the check does not know the keyword ${k}`];
  }
  if (schema.$ref) return schemaProblems(doc, resolveRef(doc, schema.$ref), value, at);
  if (schema.anyOf) {
    const ok = (schema.anyOf as Json[]).some((s) => !schemaProblems(doc, s, value, at).length);
    return ok ? [] : [`${at}: matches none of anyOf: ${JSON.stringify(value)?.slice(0, 200)}`];
  }
  if ("const" in schema && value !== schema.const) return [`${at}: is not ${schema.const}`];
  if (schema.enum && !schema.enum.includes(value)) return [`${at}: ${value} is not in the enum`];
  const types: string[] = schema.type
    ? (Array.isArray(schema.type) ? schema.type : [schema.type])
    : [];
  const typeOf = (v: unknown) =>
    v === null ? "null" : Array.isArray(v) ? "array" : Number.isInteger(v) ? "integer" : typeof v;
  const actual = typeOf(value);
  if (
    types.length &&
    !types.some((t) => t === actual || (t === "number" && actual === "integer"))
  ) return [`${at}: ${actual}, documented as ${types.join(" or ")}`];
  const problems: string[] = [];
  if (schema.format === "date-time" && typeof value === "string" && isNaN(Date.parse(value))) {
    problems.push(`${at}: not a date-time`);
  }
  if (actual === "array" && schema.items) {
    (value as unknown[]).forEach((v, i) =>
      problems.push(...schemaProblems(doc, schema.items, v, `${at}[${i}]`))
    );
  }
  if (actual === "object") {
    const obj = value as Record<string, unknown>;
    for (const name of schema.required ?? []) {
      if (!(name in obj)) problems.push(`${at}.${name}: missing`);
    }
    for (const [name, v] of Object.entries(obj)) {
      const property = schema.properties?.[name];
      if (property) problems.push(...schemaProblems(doc, property, v, `${at}.${name}`));
      else if (schema.additionalProperties === false) {
        problems.push(`${at}.${name}: not documented`);
      } else if (typeof schema.additionalProperties === "object") {
        problems.push(...schemaProblems(doc, schema.additionalProperties, v, `${at}.${name}`));
      }
    }
  }
  return problems;
}

/**
 * The answer `r` to `key` is documented: its status is listed, an error carries one of the codes
 * listed for that status in the `Error` shape, and a JSON success matches its schema.
 */
function assertDocumentedAnswer(
  doc: OpenApiDocument,
  key: string,
  r: { status: number; json: unknown; res: Response },
) {
  const op = operationOf(doc, key);
  assert(op, `${key} is not in the document`);
  const response = op.responses[String(r.status)];
  const body = JSON.stringify(r.json)?.slice(0, 300);
  assert(response, `${key} answered ${r.status}, which the document does not list: ${body}`);
  const codes: string[] | undefined = response["x-error-codes"];
  if (codes) {
    const problems = schemaProblems(doc, { $ref: "#/components/schemas/Error" }, r.json);
    assertEquals(problems, [], `${key} ${r.status}: not the Error shape`);
    const code = (r.json as { error: { code: string } }).error.code;
    assert(codes.includes(code), `${key} ${r.status} ${code} is not among ${codes.join(", ")}`);
    return;
  }
  const media = (r.res.headers.get("content-type") ?? "").split(";")[0].trim();
  const content = response.content ?? {};
  if (r.status === 204 || !Object.keys(content).length) return;
  assert(
    media in content,
    `${key} ${r.status} answered ${media}, documented ${Object.keys(content)}`,
  );
  if (media === "application/json" && content[media].schema) {
    assertEquals(schemaProblems(doc, content[media].schema, r.json), [], `${key} ${r.status}`);
  }
}

/** An app with an admin (enrolled) and a user, and fresh admin sessions on demand. */
async function setup() {
  const env = await testApp();
  await addUser(env, "root", ["admin"]);
  await addUser(env, "alice");
  const root = await enrollViaApi(env, "root");
  const doc = await fetchDocument(env);
  /** A new admin session with a code: some probes end sessions or need a fresh login. */
  const freshAdmin = async () => {
    nextStep(env);
    const p = await pendingLogin(env, "root");
    const t = await api(env, "POST", "/api/v1/login/totp", {
      pending_token: p.pending_token,
      code: codeNow(env, root.secret),
    });
    assertEquals(t.status, 200);
    return t.json.session_token as string;
  };
  return { env, doc, root, freshAdmin };
}

const fillParams = (path: string) => path.replace(/\{([A-Za-z0-9_]+)\}/g, "probe-$1");

Deno.test("openapi: the document lists exactly the JSON routes the app serves", async () => {
  const env = await testApp();
  const doc = await fetchDocument(env);
  const registered = registeredOperations(env.app);
  const documented = documentedOperations(doc);
  assert(registered.length > 50, `only ${registered.length} JSON routes found`);
  assertEquals(
    registered.filter((k) => !documented.includes(k)),
    [],
    "registered but not in the document (add a describe() to the route)",
  );
  assertEquals(documented.filter((k) => !registered.includes(k)), [], "documented, not served");
  for (const key of ["GET /healthz", "GET /.well-known/jwks.json", "GET /api/v1/openapi.json"]) {
    assert(documented.includes(key), key);
  }
});

Deno.test("openapi: the document is OpenAPI 3.1, complete per operation, and every $ref resolves", async () => {
  const env = await testApp();
  const doc = await fetchDocument(env);
  assert(/^3\.1\.\d+$/.test(doc.openapi), doc.openapi);
  assert(doc.info.title && doc.info.version);
  const refs = collectRefs(doc);
  assert(refs.length > 0);
  for (const ref of refs) resolveRef(doc, ref);
  let failed = false;
  try {
    resolveRef(doc, "#/components/schemas/Nothing");
  } catch {
    failed = true;
  }
  assert(failed, "a dangling reference is caught");

  assert(doc.components.schemas.Error, "the Error component");
  const ids = new Set<string>();
  const usedTags = new Set<string>();
  for (const [path, item] of Object.entries(doc.paths)) {
    for (const [method, op] of Object.entries<Json>(item)) {
      const key = `${method.toUpperCase()} ${path}`;
      assert(METHODS.includes(method), key);
      assert(op.summary?.length > 5, `${key}: summary`);
      assert(op.tags?.length === 1 && op.tags[0] in TAGS, `${key}: tag ${op.tags}`);
      usedTags.add(op.tags[0]);
      assert(!ids.has(op.operationId), `${key}: operationId ${op.operationId} is unique`);
      ids.add(op.operationId);
      assert(Array.isArray(op.security), `${key}: security is stated`);
      for (const requirement of op.security) {
        for (const scheme of Object.keys(requirement)) {
          assert(scheme in doc.components.securitySchemes, `${key}: scheme ${scheme}`);
        }
      }
      const inPath = [...path.matchAll(/\{([^}]+)\}/g)].map((m) => m[1]).sort();
      const declared = (op.parameters ?? []).filter((p: Json) => p.in === "path")
        .map((p: Json) => p.name).sort();
      assertEquals(declared, inPath, `${key}: path parameters`);
      const statuses = Object.keys(op.responses);
      assert(statuses.some((s) => /^2\d\d$/.test(s)), `${key}: a success response`);
      for (const s of statuses) {
        const r = op.responses[s];
        assert(r.description, `${key} ${s}: description`);
        if (r["x-error-codes"]) {
          assert(/^[45]\d\d$/.test(s), `${key} ${s}: error codes on an error status`);
          assertEquals(
            r.content?.["application/json"]?.schema,
            { $ref: "#/components/schemas/Error" },
            `${key} ${s}: errors use the Error component`,
          );
        } else if (/^[45]/.test(s)) {
          assert(!r.content?.["application/json"], `${key} ${s}: JSON errors are Error-shaped`);
        }
      }
      if (op.requestBody) {
        const schema = op.requestBody.content?.["application/json"]?.schema;
        assert(schema?.type === "object" && schema.properties, `${key}: a JSON object body`);
        assert(op.responses["400"]?.["x-error-codes"]?.includes("validation_failed"), key);
      }
    }
  }
  assertEquals([...usedTags].sort(), Object.keys(TAGS).sort(), "every tag is used");
  const security = (key: string) => operationOf(doc, key).security;
  assertEquals(security("POST /api/v1/login"), []);
  assertEquals(security("GET /api/v1/me/sessions"), [{ session: [] }]);
  assertEquals(security("GET /api/v1/admin/users"), [{ session: ["admin"] }]);
  assertEquals(security("POST /api/v1/enrollments"), [{ pending: [] }, { session: [] }]);
  assertEquals(security("GET /api/v1/session"), [{ session: [] }, {
    apiKey: ["read", "write", "admin"],
  }]);
});

Deno.test("openapi: documented bodies and query parameters are what the routes validate", async () => {
  const { env, doc, freshAdmin } = await setup();
  let bodies = 0;
  for (const key of documentedOperations(doc)) {
    const [method, path] = key.split(" ");
    const op = operationOf(doc, key);
    const url = fillParams(path);
    const schema = op.requestBody?.content?.["application/json"]?.schema;
    if (schema) {
      bodies++;
      const required: string[] = [...(schema.required ?? [])].sort();
      const properties = Object.keys(schema.properties).sort();

      // An empty object: exactly the documented required fields are missing.
      const empty = await api(env, method, url, {}, await freshAdmin());
      assertDocumentedAnswer(doc, key, empty);
      if (required.length) {
        assertEquals(empty.status, 400, `${key} {}`);
        assertEquals(Object.keys(empty.json.error.fields).sort(), required, `${key} required`);
      } else {
        assert(empty.json?.error?.code !== "validation_failed", `${key}: {} is documented valid`);
      }

      // Every documented field with a value no field accepts: each one is refused by name.
      const wrong = Object.fromEntries(properties.map((p) => [p, { probe: true }]));
      const bad = await api(env, method, url, wrong, await freshAdmin());
      assertDocumentedAnswer(doc, key, bad);
      assertEquals(bad.status, 400, `${key} wrong types`);
      // A nested object names the unknown key inside it ("webauthn.probe"): still that field.
      const refused = new Set(Object.keys(bad.json.error.fields).map((f) => f.split(".")[0]));
      assertEquals([...refused].sort(), properties, `${key} properties`);
    } else if (method !== "GET") {
      // No documented body: the route does not read one, so broken JSON is not a 400.
      const r = await api(env, method, url, "{not json", await freshAdmin());
      assertDocumentedAnswer(doc, key, r);
      assert(
        !(r.status === 400 && r.json?.error?.code === "validation_failed"),
        `${key} validates a body the document does not show`,
      );
    }
    for (const p of (op.parameters ?? []).filter((p: Json) => p.in === "query")) {
      if (!(p.schema.enum || p.schema.type === "integer" || p.schema.format)) continue;
      const r = await api(env, method, `${url}?${p.name}=not-valid`, undefined, await freshAdmin());
      assertDocumentedAnswer(doc, key, r);
      assertEquals(r.status, 400, `${key} ?${p.name}=not-valid`);
      assert(p.name in r.json.error.fields, `${key} ?${p.name} is validated`);
    }
  }
  assert(bodies >= 20, `only ${bodies} documented bodies`);
});

Deno.test("openapi: every operation, called by an admin, answers as documented", async () => {
  const { env, doc, freshAdmin } = await setup();
  for (const key of documentedOperations(doc)) {
    const [method, path] = key.split(" ");
    if (method !== "GET") continue;
    const r = await api(env, method, fillParams(path), undefined, await freshAdmin());
    assertDocumentedAnswer(doc, key, r);
  }
});

Deno.test("openapi: the login, enrollment and self-service answers match the document", async () => {
  const { env, doc, root, freshAdmin } = await setup();
  const check = async (
    key: string,
    path: string,
    body?: unknown,
    token?: string,
    status?: number,
  ) => {
    const r = await api(env, key.split(" ")[0], path, body, token);
    if (status !== undefined) assertEquals(r.status, status, `${key}: ${JSON.stringify(r.json)}`);
    assertDocumentedAnswer(doc, key, r);
    return r;
  };

  // Login: enrollment_required, enrollment with a pending token, second_factor_required, totp.
  const first = await check(
    "POST /api/v1/login",
    "/api/v1/login",
    {
      username: "alice",
      password: PASSWORD,
    },
    undefined,
    200,
  );
  assertEquals(first.json.status, "enrollment_required");
  const pending = first.json.pending_token;
  const start = await check("POST /api/v1/enrollments", "/api/v1/enrollments", {}, pending, 201);
  const id = start.json.enrollment_id;
  const confirmKey = "POST /api/v1/enrollments/{id}/confirm";
  await check(confirmKey, `/api/v1/enrollments/${id}/confirm`, { code: "000000" }, pending);
  const done = await check(
    confirmKey,
    `/api/v1/enrollments/${id}/confirm`,
    { code: codeNow(env, start.json.secret) },
    pending,
    200,
  );
  const secret = start.json.secret;
  nextStep(env);
  const second = await check(
    "POST /api/v1/login",
    "/api/v1/login",
    {
      username: "alice",
      password: PASSWORD,
    },
    undefined,
    200,
  );
  assertEquals(second.json.status, "second_factor_required");
  await check(
    "POST /api/v1/login/totp",
    "/api/v1/login/totp",
    {
      pending_token: second.json.pending_token,
      code: "000000",
    },
    undefined,
    401,
  );
  const signedIn = await check(
    "POST /api/v1/login/totp",
    "/api/v1/login/totp",
    {
      pending_token: second.json.pending_token,
      code: codeNow(env, secret),
      trust_device: true,
    },
    undefined,
    200,
  );
  assert(signedIn.json.trusted_device_token);
  const byDevice = await check(
    "POST /api/v1/login",
    "/api/v1/login",
    {
      username: "alice",
      password: PASSWORD,
      trusted_device_token: signedIn.json.trusted_device_token,
    },
    undefined,
    200,
  );
  assertEquals(byDevice.json.status, "authenticated");
  nextStep(env);
  const third = await pendingLogin(env, "alice");
  await check(
    "POST /api/v1/login/recovery",
    "/api/v1/login/recovery",
    {
      pending_token: third.pending_token,
      recovery_code: done.json.recovery_codes[0],
    },
    undefined,
    200,
  );
  await check(
    "POST /api/v1/login",
    "/api/v1/login",
    {
      username: "alice",
      password: "wrong password",
    },
    undefined,
    401,
  );

  // Self-service with alice's session.
  const alice = signedIn.json.session_token;
  await check("GET /api/v1/session", "/api/v1/session", undefined, alice, 200);
  await check("GET /api/v1/session", "/api/v1/session", undefined, undefined, 401);
  for (const p of ["authenticators", "recovery-codes", "trusted-devices", "sessions", "tokens"]) {
    await check(`GET /api/v1/me/${p}`, `/api/v1/me/${p}`, undefined, alice, 200);
  }
  await check("POST /api/v1/me/reauth", "/api/v1/me/reauth", { password: PASSWORD }, alice, 400);
  await check(
    "POST /api/v1/me/reauth",
    "/api/v1/me/reauth",
    {
      password: PASSWORD,
      code: codeNow(env, secret, 30),
    },
    alice,
    200,
  );
  const authId = done.json.authenticator.id;
  await check(
    "PATCH /api/v1/me/authenticators/{id}",
    `/api/v1/me/authenticators/${authId}`,
    { label: "Phone" },
    alice,
    200,
  );
  await check("POST /api/v1/me/recovery-codes", "/api/v1/me/recovery-codes", undefined, alice, 201);
  await check("POST /api/v1/me/authenticators", "/api/v1/me/authenticators", {}, alice, 201);
  nextStep(env);
  nextStep(env);
  const token = await check(
    "POST /api/v1/me/tokens",
    "/api/v1/me/tokens",
    {
      name: "ci",
      scopes: ["read"],
      code: codeNow(env, secret),
    },
    alice,
    201,
  );
  await check("GET /api/v1/session", "/api/v1/session", undefined, token.json.token, 200);
  await check("GET /api/v1/me/sessions", "/api/v1/me/sessions", undefined, token.json.token, 403);
  await check(
    "POST /api/v1/me/password",
    "/api/v1/me/password",
    {
      current_password: PASSWORD,
      new_password: "short",
    },
    alice,
    400,
  );
  await check(
    "POST /api/v1/password-reset",
    "/api/v1/password-reset",
    {
      username: "alice",
    },
    undefined,
    202,
  );

  // Administration of alice by root.
  const admin = await freshAdmin();
  const users = await check(
    "GET /api/v1/admin/users",
    "/api/v1/admin/users",
    undefined,
    admin,
    200,
  );
  const aliceId = users.json.users.find((u: { username: string }) => u.username === "alice").id;
  await check("GET /api/v1/admin/users", "/api/v1/admin/users", undefined, alice, 403);
  await check(
    "GET /api/v1/admin/users/{id}",
    `/api/v1/admin/users/${aliceId}`,
    undefined,
    admin,
    200,
  );
  await check(
    "GET /api/v1/admin/users/{id}/trusted-devices",
    `/api/v1/admin/users/${aliceId}/trusted-devices`,
    undefined,
    admin,
    200,
  );
  await check(
    "POST /api/v1/admin/users/{id}/reset-2fa",
    `/api/v1/admin/users/${aliceId}/reset-2fa`,
    {},
    admin,
    200,
  );
  await check(
    "POST /api/v1/admin/users/{id}/extend-grace",
    `/api/v1/admin/users/${aliceId}/extend-grace`,
    { days: 3 },
    admin,
    200,
  );
  await check(
    "POST /api/v1/admin/users",
    "/api/v1/admin/users",
    {
      username: "bob",
      password: "another long passphrase",
    },
    admin,
    201,
  );
  await check(
    "POST /api/v1/admin/api-keys",
    "/api/v1/admin/api-keys",
    {
      username: "alice",
      name: "k",
      scopes: ["read"],
    },
    admin,
    201,
  );
  await check("GET /api/v1/admin/api-keys", "/api/v1/admin/api-keys", undefined, admin, 200);
  await check("GET /api/v1/admin/audit", "/api/v1/admin/audit?limit=20", undefined, admin, 200);
  await check("GET /api/v1/admin/audit", "/api/v1/admin/audit?format=csv", undefined, admin, 200);
  await check("GET /api/v1/admin/policy", "/api/v1/admin/policy", undefined, admin, 200);
  await check("PUT /api/v1/admin/policy", "/api/v1/admin/policy", { graceDays: 3 }, admin, 200);
  assert(root.sessionToken);
});

Deno.test("openapi: /api/docs shows every operation, with no inline or outside script or style", async () => {
  const env = await testApp();
  const doc = await fetchDocument(env);
  const res = await env.app.request("/api/docs");
  assertEquals(res.status, 200);
  assert((res.headers.get("content-type") ?? "").startsWith("text/html"));
  assert((res.headers.get("content-security-policy") ?? "").includes("default-src 'none'"));
  const html = await res.text();
  const escape = (s: string) =>
    s.replaceAll("&", "&amp;").replaceAll("<", "&lt;").replaceAll(">", "&gt;")
      .replaceAll('"', "&quot;").replaceAll("'", "&#39;");
  for (const key of documentedOperations(doc)) {
    const op = operationOf(doc, key);
    assert(html.includes(`id="${op.operationId}"`), `${key}: a section`);
    assert(html.includes(escape(op.summary)), `${key}: its summary`);
    assert(html.includes(`<code>${escape(key)}</code>`), `${key}: method and path`);
  }
  assert(html.includes("<code>password</code>"), "request body fields are listed");
  assert(html.includes("<code>invalid_credentials</code>"), "error codes are listed");
  for (const tag of html.match(/<script\b[^>]*>[^<]*<\/script>/gi) ?? []) {
    assert(/^<script\b[^>]*\ssrc="\/[^/]/i.test(tag), `only our own script files: ${tag}`);
    assert(/><\/script>$/i.test(tag), `no inline script: ${tag}`);
  }
  assertEquals(html.match(/<script\b/gi)?.length ?? 0, html.match(/<\/script>/gi)?.length ?? 0);
  assert(!/\sstyle=/i.test(html) && !/<style\b/i.test(html), "no inline style");
  assert(!/(src|href)="(https?:)?\/\//i.test(html), "nothing from another origin");
});
