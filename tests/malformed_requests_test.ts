/**
 * Every operation of the OpenAPI document, sent malformed requests generated from the document
 * itself (so a new route is covered the day it is documented): no body, bodies that are not
 * JSON or not objects, wrong content types, each field of the request schema with a wrong type
 * or a huge string, deep nesting, `__proto__` keys, and bad query parameters. Each goes out
 * anonymously, with a user's session, with an admin's session and (where accepted) with a
 * pending token, so that the validation and the code behind it actually run.
 *
 * Never a 5xx; every 4xx of the API in the error shape; and credentials come before input: a
 * caller without the credentials an operation requires gets 401/403, never a 400 about its
 * body, and a non-admin gets 403 from an admin operation.
 */
import type { Json, OpenApiDocument } from "../src/openapi/document.ts";
import { assert, assertEquals } from "./assert.ts";
import {
  addUser,
  api,
  codeNow,
  enrollViaApi,
  nextStep,
  PASSWORD,
  testApp,
  type TestEnv,
} from "./helpers.ts";

type Probe = { name: string; init: RequestInit; query?: string };
type Caller = { name: "anonymous" | "user" | "admin" | "pending"; token?: string };

const JSON_TYPE = { "content-type": "application/json" };
const json = (name: string, body: unknown): Probe => ({
  name,
  init: { headers: JSON_TYPE, body: JSON.stringify(body) },
});
const raw = (name: string, contentType: string | undefined, body: string): Probe => ({
  name,
  init: { headers: contentType ? { "content-type": contentType } : {}, body },
});

const HUGE = "x".repeat(100_000); // under MAX_BODY_BYTES: it must reach the validation
const DEEP = 10_000;
const deepArray = "[".repeat(DEEP) + "]".repeat(DEEP);
const deepObject = '{"a":'.repeat(DEEP) + "1" + "}".repeat(DEEP);

/** A value of the type a JSON Schema describes (the first alternative of an anyOf). */
function plausible(schema: Json): unknown {
  if (schema?.anyOf) return plausible(schema.anyOf[0]);
  if (schema?.enum) return schema.enum[0];
  switch (schema?.type) {
    case "string":
      return schema.format === "email" ? "someone@example.com" : "a".repeat(schema.minLength ?? 1);
    case "integer":
    case "number":
      return schema.minimum ?? 1;
    case "boolean":
      return true;
    case "array":
      return schema.minItems ? [plausible(schema.items)] : [];
    case "object":
      return {};
    default:
      return "a";
  }
}

/** A value of another type than the schema's. */
function wrongType(schema: Json): unknown {
  const type = schema?.anyOf ? schema.anyOf[0].type : schema?.type;
  switch (type) {
    case "string":
      return 12345;
    case "integer":
    case "number":
      return "12";
    case "boolean":
      return "maybe";
    case "array":
      return { length: 1 };
    default:
      return [];
  }
}

/** The malformed requests for one operation, from its request body schema and parameters. */
function probes(op: Json): Probe[] {
  const out: Probe[] = [
    { name: "no body", init: {} },
    raw("invalid JSON", "application/json", '{"a":'),
    raw("empty JSON", "application/json", ""),
    raw("form", "application/x-www-form-urlencoded", "username=a&password=b&label=c"),
    raw(
      "multipart",
      "multipart/form-data; boundary=x",
      '--x\r\nContent-Disposition: form-data; name="a"\r\n\r\nb\r\n--x--\r\n',
    ),
    raw("text", "text/plain", '{"label":"x"}'),
    raw("JSON without content type", undefined, '{"label":"x"}'),
    raw("deep array", "application/json", deepArray),
    raw("deep object", "application/json", deepObject),
    raw("bad UTF-8", "application/json", '{"a":"\udc00\ud800"}'),
    json("array", []),
    json("null", null),
    json("number", 42),
    json("string", "x"),
    json("{}", {}),
    raw(
      "__proto__",
      "application/json",
      '{"__proto__":{"polluted":true},"constructor":{"prototype":{"polluted":true}}}',
    ),
  ];
  const schema: Json = op.requestBody?.content?.["application/json"]?.schema;
  const properties: Record<string, Json> = schema?.properties ?? {};
  const valid = Object.fromEntries(
    Object.entries(properties).map(([k, s]) => [k, plausible(s)]),
  );
  if (Object.keys(properties).length) {
    out.push(json("plausible", valid));
    out.push(json(
      "every field wrong",
      Object.fromEntries(
        Object.entries(properties).map(([k, s]) => [k, wrongType(s)]),
      ),
    ));
    out.push(raw(
      "plausible with __proto__",
      "application/json",
      JSON.stringify(valid).replace("{", '{"__proto__":{"polluted":true},'),
    ));
    for (const [field, s] of Object.entries(properties)) {
      out.push(json(`${field}: wrong type`, { ...valid, [field]: wrongType(s) }));
      out.push(json(`${field}: huge string`, { ...valid, [field]: HUGE }));
      out.push(json(`${field}: null`, { ...valid, [field]: null }));
      out.push(raw(
        `${field}: deep`,
        "application/json",
        JSON.stringify({ ...valid, [field]: 0 }).replace(`"${field}":0`, `"${field}":${deepArray}`),
      ));
    }
  }
  for (const p of (op.parameters ?? []) as Json[]) {
    if (p.in !== "query") continue;
    for (
      const [label, value] of [["huge", HUGE.slice(0, 5000)], ["negative", "-1"], ["text", "abc"], [
        "empty",
        "",
      ]]
    ) {
      out.push({
        name: `?${p.name}: ${label}`,
        init: {},
        query: `${p.name}=${encodeURIComponent(value)}`,
      });
    }
    out.push({ name: `?${p.name}: repeated`, init: {}, query: `${p.name}=1&${p.name}=2` });
  }
  return out;
}

/** Path parameters: the victim user for admin routes, an unknown id elsewhere. */
function pathFor(path: string, victimId: string): string {
  return path.replace(
    /\{([^}]+)\}/g,
    (_, name) =>
      path.startsWith("/api/v1/admin/users/") && name === "id" ? victimId : `unknown-${name}`,
  );
}

/** Operations that end the caller's own session go last, so the others run signed in. */
const endsOwnSession = (path: string) => /\/(logout|end-all)$/.test(path);

/** A fresh session for a user with an authenticator (password, then a code). */
async function signIn(env: TestEnv, username: string, secret: string): Promise<string> {
  nextStep(env);
  const p = await api(env, "POST", "/api/v1/login", { username, password: PASSWORD });
  const r = await api(env, "POST", "/api/v1/login/totp", {
    pending_token: p.json.pending_token,
    code: codeNow(env, secret),
  });
  assertEquals(r.status, 200, `sign-in of ${username}`);
  return r.json.session_token;
}

async function setup(): Promise<
  { env: TestEnv; callers: Caller[]; victimId: string; secrets: Record<string, string> }
> {
  // Generous limits: the probes fail many logins and password checks, and the callers sign in
  // again before the operations that end sessions.
  const env = await testApp({ IP_MAX_FAILURES: "10000", PASSWORD_MAX_FAILURES: "100" });
  await addUser(env, "root", ["admin"]);
  await addUser(env, "alice");
  await addUser(env, "bob");
  const victim = await addUser(env, "victim");
  const admin = await enrollViaApi(env, "root");
  const user = await enrollViaApi(env, "alice");
  const pending = await api(env, "POST", "/api/v1/login", { username: "bob", password: PASSWORD });
  assertEquals(pending.json.status, "enrollment_required");
  return {
    env,
    victimId: victim.id,
    secrets: { root: admin.secret, alice: user.secret },
    callers: [
      { name: "anonymous" },
      { name: "user", token: user.sessionToken },
      { name: "admin", token: admin.sessionToken },
      { name: "pending", token: pending.json.pending_token },
    ],
  };
}

Deno.test("malformed requests: no operation of the OpenAPI document answers 5xx, and credentials come before input", async () => {
  const { env, callers, victimId, secrets } = await setup();
  const doc: OpenApiDocument = (await api(env, "GET", "/api/v1/openapi.json")).json;
  const operations: { method: string; path: string; op: Json }[] = [];
  for (const [path, item] of Object.entries(doc.paths)) {
    for (const [method, op] of Object.entries<Json>(item)) {
      operations.push({ method: method.toUpperCase(), path, op });
    }
  }
  assert(operations.length >= 50, `${operations.length} operations`);
  operations.sort((a, b) => Number(endsOwnSession(a.path)) - Number(endsOwnSession(b.path)));

  const failures: string[] = [];
  let sent = 0;
  for (const { method, path, op } of operations) {
    // An operation that ends sessions (an admin's end-all ends everyone's) starts signed in afresh.
    if (endsOwnSession(path)) {
      for (const caller of callers) {
        if (caller.name === "user") caller.token = await signIn(env, "alice", secrets.alice);
        if (caller.name === "admin") caller.token = await signIn(env, "root", secrets.root);
      }
    }
    const security: Record<string, string[]>[] = op.security ?? [];
    const schemes = new Set(security.flatMap((s) => Object.keys(s)));
    const adminOnly = security.length > 0 &&
      security.every((s) => s.session?.includes("admin"));
    for (const caller of callers) {
      // A pending token is a credential only where the operation takes one.
      if (caller.name === "pending" && !schemes.has("pending")) continue;
      for (const probe of probes(op)) {
        const url = pathFor(path, victimId) + (probe.query ? `?${probe.query}` : "");
        const headers = new Headers(probe.init.headers);
        if (caller.token) headers.set("authorization", `Bearer ${caller.token}`);
        const bodyless = method === "GET" || method === "HEAD";
        const res = await env.app.request(url, {
          method,
          headers,
          body: bodyless ? undefined : probe.init.body,
        });
        sent++;
        const text = await res.text();
        const where = `${caller.name} ${method} ${
          url.slice(0, 80)
        } [${probe.name}] -> ${res.status}`;
        if (res.status >= 500) failures.push(`${where}: ${text.slice(0, 120)}`);
        else if (
          caller.name === "anonymous" && security.length > 0 && ![401, 403].includes(res.status)
        ) {
          failures.push(`${where}: an anonymous caller must get 401/403`);
        } else if (caller.name === "user" && adminOnly && res.status !== 403) {
          failures.push(`${where}: a non-admin must get 403`);
        } else if (
          caller.name === "admin" && probe.name === "no body" &&
          op.requestBody?.required === false &&
          res.status === 400
        ) {
          failures.push(`${where}: the document says the body may be left out`);
        } else if (res.status >= 400 && path.startsWith("/api/v1/")) {
          let code: unknown;
          try {
            code = JSON.parse(text).error.code;
          } catch { /* not the error shape */ }
          if (typeof code !== "string") failures.push(`${where}: not the error shape`);
        }
      }
    }
  }
  assertEquals(({} as Record<string, unknown>).polluted, undefined, "Object.prototype is clean");
  assertEquals(failures, [], `${failures.length} of ${sent} requests`);
  assert(sent > 2000, `${sent} requests sent`);
});
