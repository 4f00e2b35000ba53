import { assertEquals } from "../../tests/assert.ts";
import {
  type AccessDecision,
  type AccessRequest,
  type AccessRules,
  accessRulesSchema,
  type AccessUser,
  decideAccess,
  normalizePath,
} from "./rules.ts";

const NOW = new Date("2026-11-22T12:00:00Z");
const MIN = 60_000;

const doc = (input: unknown): AccessRules => accessRulesSchema.parse(input);

const req = (over: Partial<AccessRequest> = {}): AccessRequest => ({
  host: "app.example.com",
  path: "/",
  method: "GET",
  ip: "192.0.2.10",
  ...over,
});

const alice: AccessUser = {
  username: "Alice",
  groups: ["staff"],
  roles: ["admin"],
  secondFactor: true,
  secondFactorAt: NOW.getTime() - 5 * MIN,
};
const bob: AccessUser = {
  username: "bob",
  groups: ["contractors"],
  roles: [],
  secondFactor: true,
  secondFactorAt: NOW.getTime() - 2 * 60 * MIN,
};
const carol1fa: AccessUser = {
  username: "carol",
  groups: ["staff"],
  roles: [],
  secondFactor: false,
  secondFactorAt: null,
};

const allow = (action: string, rule: number | null): AccessDecision =>
  ({ outcome: "allow", action, rule }) as AccessDecision;
const deny = (rule: number | null): AccessDecision => ({ outcome: "deny", rule });
const login = (rule: number | null): AccessDecision => ({ outcome: "login", rule });

type Case = [
  name: string,
  rules: unknown,
  request: Partial<AccessRequest>,
  user: AccessUser | null,
  expected: AccessDecision,
];

const CASES: Case[] = [
  // ---- defaults ----
  ["nothing saved but an empty document: deny", {}, {}, alice, deny(null)],
  ["default deny for the anonymous is a 403, not a login", {}, {}, null, deny(null)],
  [
    "default one_factor asks the anonymous to sign in",
    { default: "one_factor" },
    {},
    null,
    login(null),
  ],
  ["default bypass lets anyone through", { default: "bypass" }, {}, null, allow("bypass", null)],
  // ---- hosts ----
  [
    "exact host matches case-insensitively",
    { rules: [{ hosts: ["app.example.com"], action: "bypass" }] },
    { host: "APP.example.com" },
    null,
    allow("bypass", 0),
  ],
  [
    "exact host does not match another host",
    { rules: [{ hosts: ["app.example.com"], action: "bypass" }] },
    { host: "wiki.example.com" },
    null,
    deny(null),
  ],
  [
    "a host entry without port matches any port",
    { rules: [{ hosts: ["app.example.com"], action: "bypass" }] },
    { host: "app.example.com:8443" },
    null,
    allow("bypass", 0),
  ],
  [
    "a host entry with a port matches that port only",
    { rules: [{ hosts: ["app.example.com:8443"], action: "bypass" }] },
    { host: "app.example.com" },
    null,
    deny(null),
  ],
  [
    "wildcard host matches a subdomain",
    { rules: [{ hosts: ["*.example.com"], action: "bypass" }] },
    { host: "a.b.example.com" },
    null,
    allow("bypass", 0),
  ],
  [
    "wildcard host does not match the bare domain",
    { rules: [{ hosts: ["*.example.com"], action: "bypass" }] },
    { host: "example.com" },
    null,
    deny(null),
  ],
  [
    "wildcard host does not match a look-alike suffix",
    { rules: [{ hosts: ["*.example.com"], action: "bypass" }] },
    { host: "evilexample.com" },
    null,
    deny(null),
  ],
  [
    "a trailing dot in the host is the same host",
    { rules: [{ hosts: ["app.example.com"], action: "bypass" }] },
    { host: "app.example.com." },
    null,
    allow("bypass", 0),
  ],
  // ---- paths ----
  [
    "a path prefix matches itself and below",
    { rules: [{ paths: ["/api"], action: "bypass" }] },
    { path: "/api/v1/x?y=1" },
    null,
    allow("bypass", 0),
  ],
  [
    "a path prefix stops at segment boundaries",
    { rules: [{ paths: ["/api"], action: "bypass" }] },
    { path: "/apix" },
    null,
    deny(null),
  ],
  [
    "a glob * stays within one segment",
    { rules: [{ paths: ["/files/*.pdf"], action: "bypass" }] },
    { path: "/files/a/b.pdf" },
    null,
    deny(null),
  ],
  [
    "a glob * matches within a segment",
    { rules: [{ paths: ["/files/*.pdf"], action: "bypass" }] },
    { path: "/files/report.pdf" },
    null,
    allow("bypass", 0),
  ],
  [
    "a glob ** crosses segments",
    { rules: [{ paths: ["/admin/**"], action: "deny" }], default: "bypass" },
    { path: "/admin/a/b/c" },
    null,
    deny(0),
  ],
  [
    "encoded letters cannot dodge a deny",
    { rules: [{ paths: ["/admin"], action: "deny" }], default: "bypass" },
    { path: "/%61dmin/x" },
    null,
    deny(0),
  ],
  [
    "dot segments and double slashes cannot dodge a deny",
    { rules: [{ paths: ["/admin"], action: "deny" }], default: "bypass" },
    { path: "//public/../admin" },
    null,
    deny(0),
  ],
  // ---- methods ----
  [
    "a method list matches case-insensitively",
    { rules: [{ methods: ["get", "HEAD"], action: "bypass" }] },
    { method: "head" },
    null,
    allow("bypass", 0),
  ],
  [
    "another method is not matched",
    { rules: [{ methods: ["GET"], action: "bypass" }] },
    { method: "POST" },
    null,
    deny(null),
  ],
  // ---- networks ----
  [
    "an IPv4 network matches its addresses",
    { rules: [{ networks: ["192.0.2.0/24"], action: "bypass" }] },
    {},
    null,
    allow("bypass", 0),
  ],
  [
    "an IPv4 network does not match others",
    { rules: [{ networks: ["10.0.0.0/8"], action: "bypass" }] },
    {},
    null,
    deny(null),
  ],
  [
    "an IPv6 network matches",
    { rules: [{ networks: ["2001:db8::/32"], action: "bypass" }] },
    { ip: "2001:db8:1::5" },
    null,
    allow("bypass", 0),
  ],
  [
    "an IPv4-mapped IPv6 address counts as IPv4",
    { rules: [{ networks: ["192.0.2.0/24"], action: "bypass" }] },
    { ip: "::ffff:192.0.2.7" },
    null,
    allow("bypass", 0),
  ],
  [
    "an unknown address never matches a network rule",
    { rules: [{ networks: ["0.0.0.0/0"], action: "bypass" }] },
    { ip: null },
    null,
    deny(null),
  ],
  // ---- subjects ----
  [
    "a group rule lets its member through",
    { rules: [{ groups: ["staff"], action: "two_factor" }] },
    {},
    alice,
    allow("two_factor", 0),
  ],
  [
    "a group rule passes over a non-member to the default",
    { rules: [{ groups: ["staff"], action: "two_factor" }] },
    {},
    bob,
    deny(null),
  ],
  [
    "a group rule asks the anonymous to sign in",
    { rules: [{ groups: ["staff"], action: "two_factor" }] },
    {},
    null,
    login(0),
  ],
  [
    "a user rule matches the username case-insensitively",
    { rules: [{ users: ["ALICE"], action: "one_factor" }] },
    {},
    alice,
    allow("one_factor", 0),
  ],
  [
    "a role rule matches",
    { rules: [{ roles: ["admin"], action: "deny" }], default: "one_factor" },
    {},
    alice,
    deny(0),
  ],
  [
    "subjects are one list: any of users, groups, roles",
    { rules: [{ users: ["nobody"], groups: ["contractors"], action: "one_factor" }] },
    {},
    bob,
    allow("one_factor", 0),
  ],
  // ---- order and actions ----
  [
    "first match wins: an early bypass beats a later deny",
    { rules: [{ paths: ["/health"], action: "bypass" }, { action: "deny" }] },
    { path: "/health" },
    null,
    allow("bypass", 0),
  ],
  [
    "first match wins: an early deny beats a later allow",
    { rules: [{ groups: ["contractors"], action: "deny" }, { action: "one_factor" }] },
    {},
    bob,
    deny(0),
  ],
  [
    "a non-matching subject rule falls through to the next",
    { rules: [{ groups: ["contractors"], action: "deny" }, { action: "one_factor" }] },
    {},
    alice,
    allow("one_factor", 1),
  ],
  [
    "two_factor sends a one-factor session to the second factor",
    { rules: [{ action: "two_factor" }] },
    {},
    carol1fa,
    { outcome: "second_factor", rule: 0 },
  ],
  [
    "one_factor takes a one-factor session",
    { rules: [{ action: "one_factor" }] },
    {},
    carol1fa,
    allow("one_factor", 0),
  ],
  [
    "a deny rule for everyone answers the anonymous without a login",
    { rules: [{ hosts: ["app.example.com"], action: "deny" }], default: "one_factor" },
    {},
    null,
    deny(0),
  ],
  // ---- step-up ----
  [
    "step-up: a second factor within the window passes",
    { rules: [{ paths: ["/admin"], action: "two_factor", step_up_minutes: 10 }] },
    { path: "/admin" },
    alice,
    allow("two_factor", 0),
  ],
  [
    "step-up: an older second factor asks for a code again",
    { rules: [{ paths: ["/admin"], action: "two_factor", step_up_minutes: 10 }] },
    { path: "/admin" },
    bob,
    { outcome: "step_up", rule: 0, minutes: 10 },
  ],
  [
    "step-up: no second factor at all is a second-factor prompt first",
    { rules: [{ action: "two_factor", step_up_minutes: 10 }] },
    {},
    carol1fa,
    { outcome: "second_factor", rule: 0 },
  ],
];

for (const [name, rules, request, user, expected] of CASES) {
  Deno.test(`decideAccess(): ${name}`, () => {
    assertEquals(decideAccess(doc(rules), req(request), user, NOW), expected);
  });
}

Deno.test("normalizePath() reads a path the way an app would", () => {
  assertEquals(normalizePath("/a/b?c=d#e"), "/a/b");
  assertEquals(normalizePath("/a/./b/../c"), "/a/c");
  assertEquals(normalizePath("/a/.."), "/");
  assertEquals(normalizePath("/../../etc"), "/etc");
  assertEquals(normalizePath("/%7Euser/%2f"), "/~user/%2F");
  assertEquals(normalizePath("//x\\y"), "/x/y");
  assertEquals(normalizePath(""), "/");
});

Deno.test("accessRulesSchema names each bad field", () => {
  const r = accessRulesSchema.safeParse({
    default: "maybe",
    rules: [{
      hosts: ["https://x.example"],
      paths: ["nope"],
      methods: ["FETCH"],
      networks: ["10.0.0.0/33"],
      action: "one_factor",
      step_up_minutes: 5,
      extra: 1,
    }],
  });
  assertEquals(r.success, false);
  const paths = r.error!.issues.map((i) => i.path.join("."));
  for (
    const p of [
      "default",
      "rules.0.hosts.0",
      "rules.0.paths.0",
      "rules.0.methods.0",
      "rules.0.networks.0",
      "rules.0",
    ]
  ) {
    assertEquals(paths.includes(p), true, `${p} in ${paths.join(", ")}`);
  }
});

Deno.test("accessRulesSchema: omitted match fields are empty lists, the default is deny", () => {
  assertEquals(accessRulesSchema.parse({ rules: [{ action: "bypass" }] }), {
    default: "deny",
    rules: [{
      hosts: [],
      paths: [],
      methods: [],
      networks: [],
      users: [],
      groups: [],
      roles: [],
      action: "bypass",
    }],
  });
});

Deno.test("accessRulesSchema: step_up_minutes only with two_factor", () => {
  const bad = accessRulesSchema.safeParse({
    rules: [{ action: "one_factor", step_up_minutes: 5 }],
  });
  assertEquals(bad.success, false);
  assertEquals(bad.error!.issues[0].path.join("."), "rules.0.step_up_minutes");
  const good = accessRulesSchema.safeParse({
    rules: [{ action: "two_factor", step_up_minutes: 5 }],
  });
  assertEquals(good.success, true);
});
