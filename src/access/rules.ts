/**
 * @module Access rules for the apps behind forward-auth: who may reach which host, path, method
 * and network, and with which proof. Pure: the rules document, the request and the user in, a
 * decision out. The first rule that matches wins; what none matches gets the document's default
 * (`deny` unless an admin chose otherwise).
 *
 * Within a rule, the match fields (`hosts`, `paths`, `methods`, `networks`) must all match, each
 * by any of its entries; an omitted or empty field matches anything. The subjects (`users`,
 * `groups`, `roles`) are one list: the rule is for anyone named in any of them, or for everyone
 * when all three are empty. A rule with subjects cannot be decided for someone not signed in, so
 * it asks for a login; after the login it applies or is passed over like any other.
 */
import { z } from "zod";
import { type Cidr, cidrContains, parseCidr, parseIp } from "../lib/ip.ts";
import { normalizeUsername } from "../users/users.ts";

export const ACCESS_ACTIONS = ["deny", "bypass", "one_factor", "two_factor"] as const;
/**
 * `deny`: nobody passes. `bypass`: everyone passes, no login (a health check, a public path).
 * `one_factor`: any live session, including one the 2FA policy let skip the code. `two_factor`:
 * a session that passed a second factor (a code, a recovery code, a remembered device).
 */
export type AccessAction = typeof ACCESS_ACTIONS[number];

export const HTTP_METHODS = [
  "GET",
  "HEAD",
  "POST",
  "PUT",
  "PATCH",
  "DELETE",
  "OPTIONS",
  "CONNECT",
  "TRACE",
] as const;

const HOST_PATTERN =
  /^(\*\.)?([a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)(\.[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)*(:\d{1,5})?$/;
const NAME = z.string().trim().min(1).max(64);
const list = <T extends z.ZodType>(item: T, max: number) => z.array(item).max(max).default([]);

const hostEntry = z.string().trim().toLowerCase().max(253).refine(
  (h) => HOST_PATTERN.test(h),
  "A host name (app.example.com), optionally with a port, or a wildcard (*.example.com).",
);
const pathEntry = z.string().trim().max(512).refine(
  // deno-lint-ignore no-control-regex
  (p) => p.startsWith("/") && !/[\u0000-\u0020\u007f?#\\]/.test(p),
  "A path starting with /: a prefix (/api) or a glob (/files/*.pdf, /admin/**).",
);
const methodEntry = z.string().trim().toUpperCase().pipe(z.enum(HTTP_METHODS));
const networkEntry = z.string().trim().max(64).refine(
  (n) => parseCidr(n) !== null,
  "An address or network in CIDR form (10.0.0.0/8, 2001:db8::/32).",
);

/** One rule, as the API and the console take it. */
export const accessRuleSchema = z.object({
  hosts: list(hostEntry, 100),
  paths: list(pathEntry, 100),
  methods: list(methodEntry, HTTP_METHODS.length),
  networks: list(networkEntry, 100),
  users: list(NAME, 500),
  groups: list(NAME, 100),
  roles: list(NAME, 100),
  action: z.enum(ACCESS_ACTIONS),
  /**
   * Step-up: with `two_factor`, the second factor must be this recent (minutes); an older one
   * sends the person through the code prompt again (not a new login).
   */
  step_up_minutes: z.number().int().min(1).max(1440).optional(),
  /** A note for admins: what the rule is for. */
  description: z.string().trim().max(200).optional(),
}).strict().refine((r) => r.step_up_minutes === undefined || r.action === "two_factor", {
  message: "Only a two_factor rule can ask for a recent second factor.",
  path: ["step_up_minutes"],
});

/** The whole document: `GET`/`PUT /api/v1/admin/access-rules`. */
export const accessRulesSchema = z.object({
  default: z.enum(ACCESS_ACTIONS).default("deny"),
  rules: z.array(accessRuleSchema).max(500).default([]),
}).strict();

export type AccessRule = z.output<typeof accessRuleSchema>;
export type AccessRules = z.output<typeof accessRulesSchema>;

/**
 * The rules in force before an admin saves any: every signed-in person passes, everyone else is
 * asked to sign in, exactly as forward-auth behaved before rules existed. Saving a document
 * replaces this; its `default` is `deny` unless set.
 */
export const INITIAL_ACCESS_RULES: AccessRules = accessRulesSchema.parse({
  // The match lists and the document's default come from the schema's defaults.
  rules: [{
    action: "one_factor",
    description: "Any signed-in person (the rules before any were saved)",
  }],
});

/** What is being asked for. `path` may carry a query; it is normalised before matching. */
export type AccessRequest = {
  host: string;
  path: string;
  method: string;
  /** The client address, or null when unknown (then no `networks` rule matches). */
  ip: string | null;
};

/** Who is asking; null when not signed in. */
export type AccessUser = {
  username: string;
  groups: readonly string[];
  roles: readonly string[];
  /** The session passed a second factor (or is an API key, which is one strong credential). */
  secondFactor: boolean;
  /** When the second factor was last proved (ms since the epoch), for step-up; null if never. */
  secondFactorAt: number | null;
};

export type AccessDecision =
  /** Through. `rule` is the index of the deciding rule, null for the default. */
  | { outcome: "allow"; action: AccessAction; rule: number | null }
  /** Refused whoever asks: a 403 page, never a login. */
  | { outcome: "deny"; rule: number | null }
  /** Only a signed-in person can be decided: sign in first. */
  | { outcome: "login"; rule: number | null }
  /** Signed in without a second factor, and the rule wants one. */
  | { outcome: "second_factor"; rule: number | null }
  /** The second factor is older than the rule's step-up window. */
  | { outcome: "step_up"; rule: number; minutes: number };

type CompiledRule = {
  /** Each takes the request's host, and the same without its port (computed once a decision). */
  hosts: ((host: string, bare: string) => boolean)[];
  paths: ((path: string) => boolean)[];
  methods: Set<string>;
  networks: Cidr[];
  users: Set<string>;
  groups: Set<string>;
  roles: Set<string>;
  anyone: boolean;
};

type Compiled = {
  list: CompiledRule[];
  /**
   * For each host seen (with its port, as asked), the indexes of the rules whose hosts match it
   * or that name none, in order: every check of one app asks for the same host, and the other
   * apps' rules need not be looked at again. Forgotten when it holds `HOSTS_KEPT` hosts.
   */
  byHost: Map<string, number[]>;
};

/** How many hosts' candidate lists a set of rules keeps (a few per protected app). */
const HOSTS_KEPT = 1_000;

const compiled = new WeakMap<AccessRules, Compiled>();

function hostMatcher(entry: string): (host: string, bare: string) => boolean {
  const e = entry.toLowerCase();
  const hasPort = /:\d+$/.test(e);
  if (e.startsWith("*.")) {
    const suffix = e.slice(1); // ".example.com" (with the port, if any)
    return (host, bare) => {
      const h = hasPort ? host : bare;
      // One or more labels before the suffix; `*.example.com` is not `example.com` itself.
      return h.length > suffix.length && h.endsWith(suffix);
    };
  }
  return (host, bare) => (hasPort ? host : bare) === e;
}

function stripPort(host: string): string {
  return host.replace(/:\d+$/, "");
}

function escapeRegex(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

/**
 * A path entry without `*` is a prefix on segment boundaries: `/api` matches `/api`, `/api/`
 * and `/api/x`, not `/apix` (a trailing `/` in the entry adds nothing). With `*` it is a glob of
 * the whole path: `*` is any run of characters within one segment, `**` any run across segments
 * (`/admin/**` matches everything under `/admin/`, `/files/*.pdf` one level of PDFs).
 */
function pathMatcher(entry: string): (path: string) => boolean {
  if (!entry.includes("*")) {
    const prefix = entry.replace(/\/+$/, "");
    if (prefix === "") return () => true;
    return (p) => p === prefix || p.startsWith(prefix + "/");
  }
  const source = entry.split(/(\*\*|\*)/).map((part) =>
    part === "**" ? ".*" : part === "*" ? "[^/]*" : escapeRegex(part)
  ).join("");
  const re = new RegExp(`^${source}$`);
  return (p) => re.test(p);
}

function compile(rules: AccessRules): Compiled {
  let c = compiled.get(rules);
  if (c) return c;
  const list = rules.rules.map((r) => ({
    hosts: r.hosts.map(hostMatcher),
    paths: r.paths.map(pathMatcher),
    methods: new Set(r.methods.map((m) => m.toUpperCase())),
    networks: r.networks.map((n) => parseCidr(n)).filter((n): n is Cidr => n !== null),
    users: new Set(r.users.map(normalizeUsername)),
    groups: new Set(r.groups),
    roles: new Set(r.roles),
    anyone: r.users.length === 0 && r.groups.length === 0 && r.roles.length === 0,
  }));
  c = { list, byHost: new Map() };
  compiled.set(rules, c);
  return c;
}

/** The indexes of the rules that may match `host` (see `Compiled.byHost`). */
function candidatesFor(c: Compiled, host: string, bare: string): number[] {
  let found = c.byHost.get(host);
  if (found) return found;
  found = [];
  for (let i = 0; i < c.list.length; i++) {
    const hosts = c.list[i].hosts;
    if (hosts.length === 0 || anyHost(hosts, host, bare)) found.push(i);
  }
  if (c.byHost.size >= HOSTS_KEPT) c.byHost.clear();
  c.byHost.set(host, found);
  return found;
}

const UNRESERVED = /^[A-Za-z0-9\-._~]$/;

/**
 * The path as rules see it: no query or fragment, percent-escapes of unreserved characters
 * decoded (so `/%61dmin` is `/admin`), other escapes upper-cased, `.` and `..` segments
 * resolved and repeated slashes folded, the way the app behind the proxy will read it. A path
 * that cannot be read is `/` followed by nothing we recognise, so only catch-all rules match.
 */
export function normalizePath(raw: string): string {
  // Most paths are already in that form (every check reads one): nothing to decode or resolve.
  // The query and fragment are cut first, as the steps do.
  const cut = raw.search(/[?#]/);
  const path = cut < 0 ? raw : raw.slice(0, cut);
  return NORMAL_PATH.test(path) ? path : normalizeSteps(raw);
}

/**
 * A path `normalizeSteps()` returns unchanged: `/`, or `/`-led segments without `?`, `#`, `%`,
 * a backslash or an empty, `.` or `..` segment (a trailing `/` is kept as it is).
 */
const NORMAL_PATH = /^(?:\/|(?:\/(?!\.\.?(?:\/|$))[^/?#%\\]+)+\/?)$/;

/** `normalizePath()` step by step. Exported for the test that compares the two. */
export function normalizeSteps(raw: string): string {
  let p = raw.split(/[?#]/, 1)[0] || "/";
  if (!p.startsWith("/")) p = "/" + p;
  p = p.replace(/%([0-9A-Fa-f]{2})/g, (_, hex: string) => {
    const ch = String.fromCharCode(parseInt(hex, 16));
    return UNRESERVED.test(ch) ? ch : `%${hex.toUpperCase()}`;
  });
  p = p.replace(/\\/g, "/").replace(/\/{2,}/g, "/");
  const out: string[] = [];
  const segments = p.split("/").slice(1);
  segments.forEach((seg, i) => {
    if (seg === ".") {
      if (i === segments.length - 1) out.push("");
    } else if (seg === "..") {
      out.pop();
      if (i === segments.length - 1) out.push("");
    } else out.push(seg);
  });
  return "/" + out.join("/");
}

function anyHost(matchers: CompiledRule["hosts"], host: string, bare: string): boolean {
  for (let i = 0; i < matchers.length; i++) if (matchers[i](host, bare)) return true;
  return false;
}

function anyPath(matchers: CompiledRule["paths"], path: string): boolean {
  for (let i = 0; i < matchers.length; i++) if (matchers[i](path)) return true;
  return false;
}

function requestMatches(
  r: CompiledRule,
  path: string,
  method: string,
  ip: string | null,
) {
  // Plain loops: this runs for every rule of every forward-auth check, and a callback per
  // rule and field is an allocation each. The hosts were matched by `candidatesFor()`.
  if (r.paths.length > 0 && !anyPath(r.paths, path)) return false;
  if (r.methods.size > 0 && !r.methods.has(method)) return false;
  if (r.networks.length > 0) {
    const parsed = ip ? parseIp(ip) : null;
    if (!parsed || !r.networks.some((n) => cidrContains(n, parsed))) return false;
  }
  return true;
}

function subjectMatches(r: CompiledRule, user: AccessUser): boolean {
  if (r.anyone) return true;
  return r.users.has(normalizeUsername(user.username)) ||
    user.groups.some((g) => r.groups.has(g)) ||
    user.roles.some((g) => r.roles.has(g));
}

function apply(
  action: AccessAction,
  rule: number | null,
  user: AccessUser | null,
  stepUpMinutes: number | undefined,
  now: Date,
): AccessDecision {
  if (action === "deny") return { outcome: "deny", rule };
  if (action === "bypass") return { outcome: "allow", action, rule };
  if (!user) return { outcome: "login", rule };
  if (action === "one_factor") return { outcome: "allow", action, rule };
  if (!user.secondFactor) return { outcome: "second_factor", rule };
  if (stepUpMinutes !== undefined && rule !== null) {
    const fresh = user.secondFactorAt !== null &&
      now.getTime() - user.secondFactorAt <= stepUpMinutes * 60_000;
    if (!fresh) return { outcome: "step_up", rule, minutes: stepUpMinutes };
  }
  return { outcome: "allow", action, rule };
}

const PREPARED: unique symbol = Symbol("prepared");

/** A host as asked -> as rules compare it, with and without its port (every check asks one). */
const normalHosts = new Map<string, readonly [string, string]>();

/** A request in the form rules compare (`prepareRequest`), for deciding it more than once. */
export type PreparedRequest = {
  [PREPARED]: true;
  host: string;
  bare: string;
  path: string;
  method: string;
  ip: string | null;
};

/** The request as rules see it: host lower-cased (and without its port), path normalized. */
export function prepareRequest(request: AccessRequest): PreparedRequest {
  let hosts = normalHosts.get(request.host);
  if (!hosts) {
    const host = request.host.trim().toLowerCase().replace(/\.$/, "").replace(/\.:/, ":");
    hosts = [host, stripPort(host)];
    if (normalHosts.size >= HOSTS_KEPT) normalHosts.clear();
    normalHosts.set(request.host, hosts);
  }
  return {
    [PREPARED]: true,
    host: hosts[0],
    bare: hosts[1],
    path: normalizePath(request.path),
    method: request.method.toUpperCase(),
    ip: request.ip,
  };
}

/**
 * Decides a request: the first rule whose match fields fit and whose subjects include `user`
 * (or that names no subjects) gives its action; a rule with subjects asks an unknown `user`
 * (null) to sign in; nothing matching gives `rules.default`. `now` is for step-up windows.
 */
export function decideAccess(
  rules: AccessRules,
  request: AccessRequest | PreparedRequest,
  user: AccessUser | null,
  now: Date,
): AccessDecision {
  const { host, bare, path, method, ip } = PREPARED in request ? request : prepareRequest(request);
  const c = compile(rules);
  const candidates = candidatesFor(c, host, bare);
  for (let k = 0; k < candidates.length; k++) {
    const i = candidates[k];
    const r = c.list[i];
    if (!requestMatches(r, path, method, ip)) continue;
    if (!r.anyone && !user) return { outcome: "login", rule: i };
    if (user && !subjectMatches(r, user)) continue;
    return apply(rules.rules[i].action, i, user, rules.rules[i].step_up_minutes, now);
  }
  return apply(rules.default, null, user, undefined, now);
}
