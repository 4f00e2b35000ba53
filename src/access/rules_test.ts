import { assertEquals, assertMaps } from "../../tests/assert.ts";
import {
  type AccessDecision,
  type AccessRequest,
  type AccessRules,
  accessRulesSchema,
  type AccessUser,
  decideAccess,
  normalizePath,
  normalizeSteps,
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
  request: Partial<AccessRequest>,
  user: AccessUser | null,
  expected: AccessDecision,
];

/** Each rules document with the cases decided under it. */
const CASES: [rules: unknown, cases: Case[]][] = [
  // ---- defaults ----
  [{}, [
    ["nothing saved but an empty document: deny", {}, alice, deny(null)],
    ["default deny for the anonymous is a 403, not a login", {}, null, deny(null)],
  ]],
  [{ default: "one_factor" }, [
    ["default one_factor asks the anonymous to sign in", {}, null, login(null)],
  ]],
  [{ default: "bypass" }, [
    ["default bypass lets anyone through", {}, null, allow("bypass", null)],
  ]],
  // ---- paths ----
  [{ rules: [{ paths: ["/api"], action: "bypass" }] }, [
    ["a path prefix matches itself and below", { path: "/api/v1/x?y=1" }, null, allow("bypass", 0)],
    ["a path prefix stops at segment boundaries", { path: "/apix" }, null, deny(null)],
  ]],
  [{ rules: [{ paths: ["/files/*.pdf"], action: "bypass" }] }, [
    ["a glob * stays within one segment", { path: "/files/a/b.pdf" }, null, deny(null)],
    ["a glob * matches within a segment", { path: "/files/report.pdf" }, null, allow("bypass", 0)],
  ]],
  [{ rules: [{ paths: ["/admin/**"], action: "deny" }], default: "bypass" }, [
    ["a glob ** crosses segments", { path: "/admin/a/b/c" }, null, deny(0)],
  ]],
  [{ rules: [{ paths: ["/admin"], action: "deny" }], default: "bypass" }, [
    ["encoded letters cannot dodge a deny", { path: "/%61dmin/x" }, null, deny(0)],
    [
      "dot segments and double slashes cannot dodge a deny",
      { path: "//public/../admin" },
      null,
      deny(0),
    ],
  ]],
  // ---- methods ----
  [{ rules: [{ methods: ["get", "HEAD"], action: "bypass" }] }, [
    ["a method list matches case-insensitively", { method: "head" }, null, allow("bypass", 0)],
  ]],
  [{ rules: [{ methods: ["GET"], action: "bypass" }] }, [
    ["another method is not matched", { method: "POST" }, null, deny(null)],
  ]],
  // ---- networks ----
  [{ rules: [{ networks: ["192.0.2.0/24"], action: "bypass" }] }, [
    ["an IPv4 network matches its addresses", {}, null, allow("bypass", 0)],
    [
      "an IPv4-mapped IPv6 address counts as IPv4",
      { ip: "::ffff:192.0.2.7" },
      null,
      allow("bypass", 0),
    ],
  ]],
  [{ rules: [{ networks: ["10.0.0.0/8"], action: "bypass" }] }, [
    ["an IPv4 network does not match others", {}, null, deny(null)],
  ]],
  [{ rules: [{ networks: ["2001:db8::/32"], action: "bypass" }] }, [
    ["an IPv6 network matches", { ip: "2001:db8:1::5" }, null, allow("bypass", 0)],
  ]],
  [{ rules: [{ networks: ["0.0.0.0/0"], action: "bypass" }] }, [
    ["an unknown address never matches a network rule", { ip: null }, null, deny(null)],
  ]],
  // ---- subjects ----
  [{ rules: [{ groups: ["staff"], action: "two_factor" }] }, [
    ["a group rule lets its member through", {}, alice, allow("two_factor", 0)],
    ["a group rule passes over a non-member to the default", {}, bob, deny(null)],
    ["a group rule asks the anonymous to sign in", {}, null, login(0)],
  ]],
  [{ rules: [{ users: ["ALICE"], action: "one_factor" }] }, [
    ["a user rule matches the username case-insensitively", {}, alice, allow("one_factor", 0)],
  ]],
  [{ rules: [{ roles: ["admin"], action: "deny" }], default: "one_factor" }, [
    ["a role rule matches", {}, alice, deny(0)],
  ]],
  [{ rules: [{ users: ["nobody"], groups: ["contractors"], action: "one_factor" }] }, [
    ["subjects are one list: any of users, groups, roles", {}, bob, allow("one_factor", 0)],
  ]],
  // ---- order and actions ----
  [{ rules: [{ paths: ["/health"], action: "bypass" }, { action: "deny" }] }, [
    [
      "first match wins: an early bypass beats a later deny",
      { path: "/health" },
      null,
      allow("bypass", 0),
    ],
  ]],
  [{ rules: [{ groups: ["contractors"], action: "deny" }, { action: "one_factor" }] }, [
    ["first match wins: an early deny beats a later allow", {}, bob, deny(0)],
    ["a non-matching subject rule falls through to the next", {}, alice, allow("one_factor", 1)],
  ]],
  [{ rules: [{ action: "two_factor" }] }, [
    ["two_factor sends a one-factor session to the second factor", {}, carol1fa, {
      outcome: "second_factor",
      rule: 0,
    }],
  ]],
  [{ rules: [{ action: "one_factor" }] }, [
    ["one_factor takes a one-factor session", {}, carol1fa, allow("one_factor", 0)],
  ]],
  [{ rules: [{ hosts: ["app.example.com"], action: "deny" }], default: "one_factor" }, [
    ["a deny rule for everyone answers the anonymous without a login", {}, null, deny(0)],
  ]],
  // ---- step-up ----
  [{ rules: [{ paths: ["/admin"], action: "two_factor", step_up_minutes: 10 }] }, [
    [
      "step-up: a second factor within the window passes",
      { path: "/admin" },
      alice,
      allow("two_factor", 0),
    ],
    ["step-up: an older second factor asks for a code again", { path: "/admin" }, bob, {
      outcome: "step_up",
      rule: 0,
      minutes: 10,
    }],
  ]],
  [{ rules: [{ action: "two_factor", step_up_minutes: 10 }] }, [
    ["step-up: no second factor at all is a second-factor prompt first", {}, carol1fa, {
      outcome: "second_factor",
      rule: 0,
    }],
  ]],
];

for (const [rules, cases] of CASES) {
  for (const [name, request, user, expected] of cases) {
    Deno.test(`decideAccess(): ${name}`, () => {
      assertEquals(decideAccess(doc(rules), req(request), user, NOW), expected);
    });
  }
}

/** Host matching under one bypass rule: [name, its host entry, the request's host, matches]. */
const HOST_CASES: [name: string, entry: string, host: string, matches: boolean][] = [
  ["exact host matches case-insensitively", "app.example.com", "APP.example.com", true],
  ["exact host does not match another host", "app.example.com", "wiki.example.com", false],
  ["a host entry without port matches any port", "app.example.com", "app.example.com:8443", true],
  ["a trailing dot in the host is the same host", "app.example.com", "app.example.com.", true],
  [
    "a host entry with a port matches that port only",
    "app.example.com:8443",
    "app.example.com",
    false,
  ],
  ["wildcard host matches a subdomain", "*.example.com", "a.b.example.com", true],
  ["wildcard host does not match the bare domain", "*.example.com", "example.com", false],
  ["wildcard host does not match a look-alike suffix", "*.example.com", "evilexample.com", false],
];

for (const [name, entry, host, matches] of HOST_CASES) {
  Deno.test(`decideAccess(): ${name}`, () => {
    const rules = doc({ rules: [{ hosts: [entry], action: "bypass" }] });
    const expected = matches ? allow("bypass", 0) : deny(null);
    assertEquals(decideAccess(rules, req({ host }), null, NOW), expected);
  });
}

Deno.test("normalizePath() reads a path the way an app would", () => {
  assertMaps(normalizePath, [
    ["/a/b?c=d#e", "/a/b"],
    ["/a/./b/../c", "/a/c"],
    ["/a/..", "/"],
    ["/../../etc", "/etc"],
    ["/%7Euser/%2f", "/~user/%2F"],
    ["//x\\y", "/x/y"],
    ["", "/"],
  ]);
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

Deno.test("normalizePath() answers as its steps do, for paths already normal or not", () => {
  const parts = [
    "/",
    "/",
    ".",
    "..",
    "a",
    "B",
    "%",
    "2e",
    "%2E",
    "%2f",
    "%41",
    "?",
    "#",
    "\\",
    "~",
    "-",
  ];
  let seed = 7;
  const next = () => (seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648;
  const paths = ["", "/", "//", "/.", "/..", "/a/.", "/a/..", "/.well-known/x", "/a/", "/a//b"];
  for (let i = 0; i < 20_000; i++) {
    paths.push(
      Array.from(
        { length: Math.floor(next() * 10) },
        () => parts[Math.floor(next() * parts.length)],
      ).join(""),
    );
  }
  for (const p of paths) assertEquals(normalizePath(p), normalizeSteps(p), JSON.stringify(p));
});
