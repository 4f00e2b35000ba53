/**
 * @module Micro-benchmarks (`deno bench`) of what every login step and session check runs: the
 * pure functions, and the repo calls on a migrated libSQL file in WAL mode (as served).
 *
 *   deno bench -A bench/micro_bench.ts
 */
import { accessRulesSchema, decideAccess } from "../src/access/rules.ts";
import { parseConfig } from "../src/config.ts";
import { migrateDb, openLibsqlDb } from "../src/db/client.ts";
import { tokenLifetimes } from "../src/deps.ts";
import { authenticators, sessions } from "../src/db/schema.ts";
import {
  decryptSecret,
  deriveSecretKeys,
  encryptSecret,
  hmacHex,
  randomId,
} from "../src/lib/crypto.ts";
import { hashPassword, verifyPassword } from "../src/lib/password.ts";
import { decideNextStep, DEFAULT_LOGIN_POLICY, type PolicySubject } from "../src/policy/policy.ts";
import { findActiveSession } from "../src/sessions/repo.ts";
import {
  generateSigningJwk,
  loadSigningKeys,
  signToken,
  verifyToken,
} from "../src/tokens/tokens.ts";
import { listAuthenticators } from "../src/totp/repo.ts";
import {
  DEFAULT_TOTP_PARAMS,
  generateTotpSecret,
  totpCodeAt,
  verifyTotp,
} from "../src/totp/totp.ts";
import { findUserByUsername, insertUser } from "../src/users/repo.ts";

// ---- fixtures

const now = new Date();
const secrets = await deriveSecretKeys(crypto.getRandomValues(new Uint8Array(32)));
const keys = await loadSigningKeys(
  [await generateSigningJwk()],
  "twofold",
  tokenLifetimes(parseConfig({})),
  secrets.pendingToken,
);
const secret = generateTotpSecret();
const secretEnc = await encryptSecret(secrets.encryption, secret, "totp:user-1");
const code = totpCodeAt(secret, now);
const wrongCode = String((Number(code) + 1) % 1_000_000).padStart(6, "0");
const sessionClaims = {
  sub: "user-1",
  jti: randomId(),
  expiresAt: new Date(now.getTime() + 3_600_000),
  extra: { sid: "s" },
};
const sessionToken = await signToken(keys, "session", sessionClaims, now);
// More distinct tokens than the verified-token cache holds (10,000, oldest out): cycling
// through them, every verification is a real signature check.
const freshTokens = await Promise.all(
  Array.from(
    { length: 20_000 },
    () => signToken(keys, "session", { ...sessionClaims, jti: randomId() }, now),
  ),
);
let fresh = 0;
const password = "twofold benchmark passphrase";
const hash600k = await hashPassword(password, 600_000);

// A file database like the served one (WAL), with 2,000 users, one authenticator and one
// session each.
const USERS = 2000;
const dir = await Deno.makeTempDir({ prefix: "twofold-micro-" });
const db = await openLibsqlDb({ url: `file:${dir}/micro.db` });
await migrateDb(db);
await db.run("PRAGMA synchronous = NORMAL"); // seeding speed only; reads are unaffected
const fixedHash = await hashPassword(password, 1_000);
const userIds: string[] = [];
const usernames: string[] = [];
const sessionIds: string[] = [];
for (let i = 0; i < USERS; i++) {
  const username = `micro-${String(i).padStart(5, "0")}`;
  const user = await insertUser(db, { username, passwordHash: fixedHash, roles: [], now });
  if (!user) throw new Error("insertUser failed");
  userIds.push(user.id);
  usernames.push(username);
}
for (let i = 0; i < USERS; i += 250) {
  const slice = userIds.slice(i, i + 250);
  await db.insert(authenticators).values(slice.map((userId) => ({
    id: randomId(),
    userId,
    label: "bench",
    secretEnc,
    createdAt: now.getTime(),
  })));
  const rows = slice.map((userId) => ({
    id: randomId(),
    userId,
    amr: '["pwd","otp"]',
    createdAt: now.getTime(),
    lastSeenAt: now.getTime(),
    expiresAt: now.getTime() + 86_400_000,
  }));
  await db.insert(sessions).values(rows);
  sessionIds.push(...rows.map((r) => r.id));
}

globalThis.addEventListener("unload", () => {
  Deno.removeSync(dir, { recursive: true });
});

let i = 0;
const nextIndex = () => (i = (i + 1) % USERS);

// ---- pure functions

Deno.bench("verifyTotp(): the current code (window 1)", { group: "totp" }, () => {
  const r = verifyTotp({ secret, code, now, params: DEFAULT_TOTP_PARAMS, lastStep: null });
  if (!r.ok) throw new Error("expected ok");
});

Deno.bench("verifyTotp(): a wrong code (all three steps tried)", { group: "totp" }, () => {
  verifyTotp({ secret, code: wrongCode, now, params: DEFAULT_TOTP_PARAMS, lastStep: null });
});

Deno.bench("decryptSecret(): AES-256-GCM TOTP secret", { group: "totp" }, async () => {
  await decryptSecret(secrets.encryption, secretEnc, "totp:user-1");
});

Deno.bench("signToken(): session (EdDSA, Ed25519)", { group: "tokens" }, async () => {
  await signToken(keys, "session", sessionClaims, now);
});

Deno.bench(
  "verifyToken(): session token seen before (verified-token cache)",
  { group: "tokens" },
  async () => {
    const r = await verifyToken(keys, "session", sessionToken, now);
    if (!r.ok) throw new Error("expected ok");
  },
);

Deno.bench(
  "verifyToken(): a session token not seen before (Ed25519 signature)",
  { group: "tokens" },
  async () => {
    const r = await verifyToken(keys, "session", freshTokens[fresh = (fresh + 1) % 20_000], now);
    if (!r.ok) throw new Error("expected ok");
  },
);

Deno.bench("hmacHex(): HMAC-SHA256 (recovery code, CSRF)", { group: "tokens" }, async () => {
  await hmacHex(secrets.recoveryHmac, "user-1:abcd-efgh-ijkl");
});

const subject: PolicySubject = {
  roles: ["user"],
  groups: [],
  explicitlyRequired: false,
  enrolled: true,
  requiredSince: null,
  graceUntil: null,
};

Deno.bench("decideNextStep(): enrolled user, default policy", { group: "policy" }, () => {
  const next = decideNextStep({
    subject,
    policy: DEFAULT_LOGIN_POLICY,
    ip: "127.0.0.1",
    trustedDevice: false,
    now,
  });
  if (next.step !== "challenge") throw new Error("expected a challenge");
});

Deno.bench(
  "verifyPassword(): PBKDF2-SHA256 at 600,000 (the KDF)",
  { group: "kdf", n: 10, warmup: 1 },
  async () => {
    const r = await verifyPassword(password, hash600k, 600_000);
    if (!r.ok) throw new Error("expected ok");
  },
);

// ---- access rules: decided on every /api/v1/verify, from memory

/** 50 rules of every kind; the request below matches only the last. */
const accessRules = accessRulesSchema.parse({
  default: "deny",
  rules: [
    ...Array.from({ length: 49 }, (_, i) => ({
      hosts: [`app${i}.example.com`, `*.team${i}.example.org`],
      paths: ["/api", "/files/*.pdf", "/admin/**"],
      methods: ["GET", "POST"],
      networks: ["10.0.0.0/8", "2001:db8::/32"],
      groups: [`group${i}`],
      action: i % 2 ? "two_factor" : "one_factor",
    })),
    { hosts: ["*.example.net"], paths: ["/reports"], action: "two_factor", step_up_minutes: 10 },
  ],
});
const accessRequest = {
  host: "grafana.example.net",
  path: "/reports/2026/q3?x=1",
  method: "GET",
  ip: "192.0.2.10",
};
const accessUser = {
  username: "alice",
  groups: ["staff", "ops"],
  roles: ["admin"],
  secondFactor: true,
  secondFactorAt: now.getTime() - 60_000,
};

Deno.bench("decideAccess(): 50 rules, the last one matches", { group: "access" }, () => {
  const d = decideAccess(accessRules, accessRequest, accessUser, now);
  if (d.outcome !== "allow") throw new Error("expected allow");
});

const bypassFirst = accessRulesSchema.parse({
  rules: [{ paths: ["/health"], action: "bypass" }, ...accessRules.rules],
});
const healthRequest = { ...accessRequest, path: "/health" };
Deno.bench("decideAccess(): the first rule matches (a bypass)", { group: "access" }, () => {
  const d = decideAccess(bypassFirst, healthRequest, null, now);
  if (d.outcome !== "allow") throw new Error("expected allow");
});

// ---- repo calls on the file database

Deno.bench(
  "findActiveSession(): session + user join (prepared, one row)",
  { group: "repo" },
  async () => {
    const found = await findActiveSession(db, sessionIds[nextIndex()], now, 30 * 60_000);
    if (!found) throw new Error("expected a session");
  },
);

Deno.bench("listAuthenticators()", { group: "repo" }, async () => {
  const rows = await listAuthenticators(db, userIds[nextIndex()]);
  if (rows.length !== 1) throw new Error("expected one authenticator");
});

Deno.bench("findUserByUsername()", { group: "repo" }, async () => {
  const user = await findUserByUsername(db, usernames[nextIndex()]);
  if (!user) throw new Error("expected a user");
});

Deno.bench("raw libSQL: SELECT 1 (the floor of one query)", { group: "repo" }, async () => {
  await db.run("SELECT 1");
});
