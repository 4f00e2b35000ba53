/**
 * @module The one Drizzle sqlite-core schema, shared by libSQL (Deno, Turso) and D1 (Workers).
 *
 * Times are stored as integer milliseconds since the epoch so that conditional updates can
 * compare them with plain SQL (`expires_at > ?`) on every backend.
 */
import {
  index,
  integer,
  primaryKey,
  sqliteTable,
  text,
  uniqueIndex,
} from "drizzle-orm/sqlite-core";

export const users = sqliteTable("users", {
  id: text("id").primaryKey(),
  /** Normalised (NFKC, lower case) so that case variants are one account. */
  username: text("username").notNull(),
  /** As the user typed it when the account was created. */
  displayName: text("display_name").notNull(),
  passwordHash: text("password_hash").notNull(),
  /** JSON array of role names, e.g. ["admin"]. */
  roles: text("roles").notNull().default("[]"),
  disabled: integer("disabled", { mode: "boolean" }).notNull().default(false),
  /** JSON array of group names, used by the 2FA policy. */
  groups: text("groups").notNull().default("[]"),
  /** An admin required 2FA for this user, whatever the policy says. */
  twofaRequired: integer("twofa_required", { mode: "boolean" }).notNull().default(false),
  /** When a login first found 2FA required for this user: the grace period starts here. */
  twofaRequiredSince: integer("twofa_required_since"),
  /** An admin's extension of this user's grace period. */
  graceUntil: integer("grace_until"),
  /** A one-time enrollment pass (SHA-256) the user needs, with the password, to enroll. */
  enrollmentPassHash: text("enrollment_pass_hash"),
  enrollmentPassExpiresAt: integer("enrollment_pass_expires_at"),
  /** Normalised (lower case) email, for password reset by email; optional. */
  email: text("email"),
  /** A service account: no interactive login, reached only through API keys. */
  isService: integer("is_service", { mode: "boolean" }).notNull().default(false),
  /** Password failures in the current window, and when the window began. */
  passwordFailures: integer("password_failures").notNull().default(0),
  passwordWindowStart: integer("password_window_start"),
  passwordLockedUntil: integer("password_locked_until"),
  passwordChangedAt: integer("password_changed_at"),
  /** Consecutive second-factor failures; reset by a successful code. */
  secondFactorFailures: integer("second_factor_failures").notNull().default(0),
  secondFactorLockedUntil: integer("second_factor_locked_until"),
  /** Password lockouts so far (reset by an admin's unlock), for the optional permanent lockout. */
  lockoutCount: integer("lockout_count").notNull().default(0),
  /** Set once `lockoutCount` reached the permanent-lockout threshold: locked until an admin unlocks. */
  lockedPermanentlyAt: integer("locked_permanently_at"),
  /**
   * Moves on every credential change (password changed or reset, 2FA reset or disabled, account
   * disabled): pending logins and enrollments carry the value they were issued under and die
   * when it moves.
   */
  credentialEpoch: integer("credential_epoch").notNull().default(0),
  /** The page language ("en" | "fr" | "de") of the last sign-in: the language of their mail. */
  locale: text("locale"),
  createdAt: integer("created_at").notNull(),
}, (t) => [uniqueIndex("users_username_idx").on(t.username), index("users_email_idx").on(t.email)]);

export const authenticators = sqliteTable("authenticators", {
  id: text("id").primaryKey(),
  userId: text("user_id").notNull().references(() => users.id, { onDelete: "cascade" }),
  label: text("label").notNull(),
  /** AES-GCM ciphertext of the base32 secret: "v1.<iv>.<ciphertext>". */
  secretEnc: text("secret_enc").notNull(),
  algorithm: text("algorithm").notNull().default("SHA1"),
  digits: integer("digits").notNull().default(6),
  period: integer("period").notNull().default(30),
  window: integer("window").notNull().default(1),
  /** The newest accepted time step; only a strictly newer step is accepted (RFC 6238 5.2). */
  lastStep: integer("last_step"),
  /** Step offset (-window..window) of the last accepted code, for clock drift help. */
  lastOffset: integer("last_offset"),
  /** JSON array of the offsets of the last few accepted codes (newest last). */
  recentOffsets: text("recent_offsets").notNull().default("[]"),
  createdAt: integer("created_at").notNull(),
  lastUsedAt: integer("last_used_at"),
}, (t) => [index("authenticators_user_idx").on(t.userId)]);

/** An authenticator being set up: it counts only once a first code has verified. */
export const enrollments = sqliteTable("enrollments", {
  id: text("id").primaryKey(),
  userId: text("user_id").notNull().references(() => users.id, { onDelete: "cascade" }),
  label: text("label").notNull(),
  secretEnc: text("secret_enc").notNull(),
  algorithm: text("algorithm").notNull(),
  digits: integer("digits").notNull(),
  period: integer("period").notNull(),
  window: integer("window").notNull(),
  /** The authenticator this one replaces once confirmed (dropped in the same batch). */
  replacesId: text("replaces_id"),
  attempts: integer("attempts").notNull().default(0),
  createdAt: integer("created_at").notNull(),
  expiresAt: integer("expires_at").notNull(),
  consumedAt: integer("consumed_at"),
  /** The user's credential epoch when this began; a later credential change kills it. */
  credentialEpoch: integer("credential_epoch").notNull().default(0),
}, (t) => [
  index("enrollments_user_idx").on(t.userId),
  // housekeeping finds the expired rows without reading the table
  index("enrollments_expires_idx").on(t.expiresAt),
]);

export const recoveryCodes = sqliteTable("recovery_codes", {
  id: text("id").primaryKey(),
  userId: text("user_id").notNull().references(() => users.id, { onDelete: "cascade" }),
  /** HMAC-SHA256 of the normalised code under a server key (codes carry 120 bits). */
  codeHash: text("code_hash").notNull(),
  createdAt: integer("created_at").notNull(),
  usedAt: integer("used_at"),
}, (t) => [uniqueIndex("recovery_codes_hash_idx").on(t.userId, t.codeHash)]);

/** The state behind a pending token: between a correct password and the second factor. */
export const pendingLogins = sqliteTable("pending_logins", {
  id: text("id").primaryKey(),
  userId: text("user_id").notNull().references(() => users.id, { onDelete: "cascade" }),
  /** "challenge" (has a factor) or "enroll" (must set one up first). */
  purpose: text("purpose").notNull(),
  rememberMe: integer("remember_me", { mode: "boolean" }).notNull().default(false),
  attempts: integer("attempts").notNull().default(0),
  createdAt: integer("created_at").notNull(),
  expiresAt: integer("expires_at").notNull(),
  consumedAt: integer("consumed_at"),
  /** The session this pending login turned into; set in the same statement that consumes it. */
  sessionId: text("session_id"),
  /** The user's credential epoch when the password was checked; a later change kills it. */
  credentialEpoch: integer("credential_epoch").notNull().default(0),
  /**
   * Purpose "password_change" only: the JSON amr of the session the change will issue, or null
   * when no factor passed yet and the user enrolls one next.
   */
  amr: text("amr"),
}, (t) => [index("pending_logins_expires_idx").on(t.expiresAt)]);

export const sessions = sqliteTable("sessions", {
  id: text("id").primaryKey(),
  userId: text("user_id").notNull().references(() => users.id, { onDelete: "cascade" }),
  /** JSON array of authentication methods (RFC 8176): ["pwd","otp"], ["pwd","rec"], ... */
  amr: text("amr").notNull(),
  rememberMe: integer("remember_me", { mode: "boolean" }).notNull().default(false),
  ip: text("ip"),
  userAgent: text("user_agent"),
  /** Where the platform placed the client at sign-in ("Paris, FR"), only when it said so. */
  location: text("location"),
  createdAt: integer("created_at").notNull(),
  lastSeenAt: integer("last_seen_at").notNull(),
  expiresAt: integer("expires_at").notNull(),
  /** The idle timeout this session was issued under (ms); null: the configured default. */
  idleMs: integer("idle_ms"),
  /** When the user last proved password and second factor again in this session (sudo mode). */
  reauthAt: integer("reauth_at"),
  revokedAt: integer("revoked_at"),
  /** When a step-up prompt (code only, for an access rule) last took a second factor. */
  secondFactorAt: integer("second_factor_at"),
  /** Delegation: the admin acting as this session's user, and the admin's own session. */
  delegatedBy: text("delegated_by"),
  delegatorSessionId: text("delegator_session_id"),
}, (t) => [index("sessions_user_idx").on(t.userId)]);

export const trustedDevices = sqliteTable("trusted_devices", {
  id: text("id").primaryKey(),
  userId: text("user_id").notNull().references(() => users.id, { onDelete: "cascade" }),
  name: text("name").notNull(),
  createdAt: integer("created_at").notNull(),
  lastUsedAt: integer("last_used_at"),
  expiresAt: integer("expires_at").notNull(),
  revokedAt: integer("revoked_at"),
}, (t) => [index("trusted_devices_user_idx").on(t.userId)]);

export const auditEvents = sqliteTable("audit_events", {
  id: text("id").primaryKey(),
  at: integer("at").notNull(),
  /** e.g. "login.password", "login.second_factor", "enrollment.confirm", "logout". */
  event: text("event").notNull(),
  /** "success" | "failure" */
  outcome: text("outcome").notNull(),
  userId: text("user_id"),
  username: text("username"),
  ip: text("ip"),
  userAgent: text("user_agent"),
  /** JSON object with the reason and context; never secrets or codes. */
  detail: text("detail").notNull().default("{}"),
}, (t) => [index("audit_events_at_idx").on(t.at), index("audit_events_user_idx").on(t.userId)]);

/** Failures per client address (IPv6 per /64), kept in the database so every isolate sees them. */
export const ipThrottle = sqliteTable("ip_throttle", {
  key: text("key").primaryKey(),
  failures: integer("failures").notNull().default(0),
  windowStart: integer("window_start").notNull(),
  blockedUntil: integer("blocked_until"),
  /** When the current (or last) block began. */
  blockedAt: integer("blocked_at"),
  /** Blocks so far; each one lasts twice the one before, up to the configured maximum. */
  blockCount: integer("block_count").notNull().default(0),
  /** The failures that led to the last block. */
  blockedFailures: integer("blocked_failures"),
  /** The last username tried from this address (as typed, cut to 128 characters). */
  lastUsername: text("last_username"),
}, (t) => [index("ip_throttle_blocked_idx").on(t.blockedUntil)]);

/** Password reset tokens: only a hash is stored; single use; a newer request kills older ones. */
export const passwordResets = sqliteTable(
  "password_resets",
  {
    id: text("id").primaryKey(),
    userId: text("user_id").notNull().references(() => users.id, { onDelete: "cascade" }),
    tokenHash: text("token_hash").notNull(),
    createdAt: integer("created_at").notNull(),
    expiresAt: integer("expires_at").notNull(),
    usedAt: integer("used_at"),
  },
  (
    t,
  ) => [
    uniqueIndex("password_resets_hash_idx").on(t.tokenHash),
    index("password_resets_user_idx").on(t.userId),
    index("password_resets_expires_idx").on(t.expiresAt),
  ],
);

/** Messages to deliver by webhook (reset links, alerts), retried until delivered. */
export const outbox = sqliteTable("outbox", {
  id: text("id").primaryKey(),
  kind: text("kind").notNull(),
  url: text("url"),
  payload: text("payload").notNull(),
  createdAt: integer("created_at").notNull(),
  attempts: integer("attempts").notNull().default(0),
  nextAttemptAt: integer("next_attempt_at").notNull(),
  deliveredAt: integer("delivered_at"),
  lastError: text("last_error"),
}, (t) => [index("outbox_due_idx").on(t.deliveredAt, t.nextAttemptAt)]);

/** API keys (made by an admin) and personal access tokens (made by a user), stored hashed. */
export const apiKeys = sqliteTable(
  "api_keys",
  {
    id: text("id").primaryKey(),
    userId: text("user_id").notNull().references(() => users.id, { onDelete: "cascade" }),
    /** "api_key" | "pat" */
    kind: text("kind").notNull(),
    name: text("name").notNull(),
    /** The first characters of the key, shown in lists so people can tell keys apart. */
    prefix: text("prefix").notNull(),
    keyHash: text("key_hash").notNull(),
    /** JSON array of "read" | "write" | "admin". */
    scopes: text("scopes").notNull(),
    createdAt: integer("created_at").notNull(),
    createdBy: text("created_by"),
    expiresAt: integer("expires_at").notNull(),
    lastUsedAt: integer("last_used_at"),
    revokedAt: integer("revoked_at"),
    /** When a use of this key was last audited: uses are audited at most once per interval. */
    lastAuditedAt: integer("last_audited_at"),
  },
  (t) => [uniqueIndex("api_keys_hash_idx").on(t.keyHash), index("api_keys_user_idx").on(t.userId)],
);

/** Admin-settable settings as JSON documents by key ("password_policy", "login_policy", ...). */
export const settings = sqliteTable("settings", {
  key: text("key").primaryKey(),
  value: text("value").notNull(),
  updatedAt: integer("updated_at").notNull(),
  updatedBy: text("updated_by"),
});

/** Security alerts for admins (e.g. repeated second-factor failures), also sent by webhook. */
export const alerts = sqliteTable(
  "alerts",
  {
    id: text("id").primaryKey(),
    at: integer("at").notNull(),
    kind: text("kind").notNull(),
    userId: text("user_id"),
    username: text("username"),
    detail: text("detail").notNull().default("{}"),
    acknowledgedAt: integer("acknowledged_at"),
    acknowledgedBy: text("acknowledged_by"),
  },
  (
    t,
  ) => [
    index("alerts_open_idx").on(t.acknowledgedAt, t.at),
    index("alerts_user_idx").on(t.userId, t.kind, t.at),
  ],
);

/**
 * Single sign-on hand-off codes: the portal gives one to a browser it sends back to a protected
 * host, whose callback trades it for that host's cookie. Only a hash of the code is stored; it
 * is consumed by the first presentation (one conditional UPDATE), lives seconds, and is good
 * only on the host it was issued for.
 */
export const ssoCodes = sqliteTable("sso_codes", {
  /** SHA-256 of the code (hex). */
  codeHash: text("code_hash").primaryKey(),
  sessionId: text("session_id").notNull().references(() => sessions.id, { onDelete: "cascade" }),
  userId: text("user_id").notNull().references(() => users.id, { onDelete: "cascade" }),
  /** The host (with port, as URL.host) the code is good on. */
  host: text("host").notNull(),
  /** Where the callback sends the browser: an absolute URL on `host`. */
  returnUrl: text("return_url").notNull(),
  createdAt: integer("created_at").notNull(),
  expiresAt: integer("expires_at").notNull(),
  usedAt: integer("used_at"),
}, (t) => [index("sso_codes_expires_idx").on(t.expiresAt)]);

/** Hashes of a user's earlier passwords (never the passwords), for the password history rule. */
export const passwordHistory = sqliteTable("password_history", {
  id: text("id").primaryKey(),
  userId: text("user_id").notNull().references(() => users.id, { onDelete: "cascade" }),
  passwordHash: text("password_hash").notNull(),
  /** When this password stopped being the current one. */
  createdAt: integer("created_at").notNull(),
}, (t) => [index("password_history_user_idx").on(t.userId, t.createdAt)]);

/**
 * Refresh tokens of programs that signed in through the JSON API, stored as SHA-256. Each use
 * spends the token and issues the next of the same chain; a spent token used again ends the
 * whole chain. A chain never outlives `chainExpiresAt` (the remember-me lifetime from the login)
 * nor a credential change (`credentialEpoch`).
 */
export const refreshTokens = sqliteTable("refresh_tokens", {
  id: text("id").primaryKey(),
  userId: text("user_id").notNull().references(() => users.id, { onDelete: "cascade" }),
  chainId: text("chain_id").notNull(),
  /** The session issued beside this token. */
  sessionId: text("session_id").notNull(),
  tokenHash: text("token_hash").notNull(),
  credentialEpoch: integer("credential_epoch").notNull(),
  createdAt: integer("created_at").notNull(),
  chainExpiresAt: integer("chain_expires_at").notNull(),
  usedAt: integer("used_at"),
  revokedAt: integer("revoked_at"),
}, (t) => [
  uniqueIndex("refresh_tokens_hash_idx").on(t.tokenHash),
  index("refresh_tokens_chain_idx").on(t.chainId),
  index("refresh_tokens_session_idx").on(t.sessionId),
]);

/** OpenID Connect clients (relying parties), registered by an admin. */
export const oidcClients = sqliteTable("oidc_clients", {
  /** The client_id: random, public. */
  id: text("id").primaryKey(),
  name: text("name").notNull(),
  /** SHA-256 of the client secret (256 random bits); null for a public client. */
  secretHash: text("secret_hash"),
  /** JSON array of the redirect URIs, compared exactly. */
  redirectUris: text("redirect_uris").notNull(),
  /** JSON array of the URIs RP-initiated logout may send the browser back to. */
  postLogoutRedirectUris: text("post_logout_redirect_uris").notNull().default("[]"),
  /** "EdDSA" or "RS256": the algorithm of its ID tokens and access tokens. */
  signingAlg: text("signing_alg").notNull().default("EdDSA"),
  createdAt: integer("created_at").notNull(),
  createdBy: text("created_by"),
});

/** Authorization codes: only a hash is stored; single use, short lived. */
export const oidcCodes = sqliteTable("oidc_codes", {
  /** SHA-256 of the code. */
  id: text("id").primaryKey(),
  clientId: text("client_id").notNull().references(() => oidcClients.id, { onDelete: "cascade" }),
  userId: text("user_id").notNull().references(() => users.id, { onDelete: "cascade" }),
  sessionId: text("session_id").notNull(),
  redirectUri: text("redirect_uri").notNull(),
  scope: text("scope").notNull(),
  nonce: text("nonce"),
  codeChallenge: text("code_challenge"),
  /** The user's credential epoch when the code was issued. */
  credentialEpoch: integer("credential_epoch").notNull(),
  createdAt: integer("created_at").notNull(),
  expiresAt: integer("expires_at").notNull(),
  usedAt: integer("used_at"),
  /** The grant the code turned into; set by the statement that consumes it. */
  grantId: text("grant_id"),
});

/**
 * What one code exchange issued: its access tokens name it, its refresh tokens chain under it.
 * Revoking it ends them all. It also lists the apps a user signed in to.
 */
export const oidcGrants = sqliteTable(
  "oidc_grants",
  {
    id: text("id").primaryKey(),
    clientId: text("client_id").notNull().references(() => oidcClients.id, { onDelete: "cascade" }),
    userId: text("user_id").notNull().references(() => users.id, { onDelete: "cascade" }),
    /** The twofold session the user signed in with: the grant ends with it. */
    sessionId: text("session_id").notNull(),
    scope: text("scope").notNull(),
    nonce: text("nonce"),
    /** The user's credential epoch when issued: a credential change (2FA reset, disable) ends it. */
    credentialEpoch: integer("credential_epoch").notNull(),
    createdAt: integer("created_at").notNull(),
    lastUsedAt: integer("last_used_at").notNull(),
    revokedAt: integer("revoked_at"),
    /** Why it was revoked: "logout", "code_reuse", "refresh_reuse", "user", ... */
    revokedReason: text("revoked_reason"),
  },
  (
    t,
  ) => [
    index("oidc_grants_user_idx").on(t.userId),
    index("oidc_grants_session_idx").on(t.sessionId),
  ],
);

/** Refresh tokens, stored as SHA-256; each use rotates it (used_at set, a successor issued). */
export const oidcRefreshTokens = sqliteTable("oidc_refresh_tokens", {
  id: text("id").primaryKey(),
  grantId: text("grant_id").notNull().references(() => oidcGrants.id, { onDelete: "cascade" }),
  createdAt: integer("created_at").notNull(),
  expiresAt: integer("expires_at").notNull(),
  usedAt: integer("used_at"),
}, (t) => [index("oidc_refresh_grant_idx").on(t.grantId)]);

/**
 * The "this wasn't me" links of security mail, stored as SHA-256. Single use: the UPDATE that
 * sets `used_at` also writes a per-request `used_by`, which the rest of the batch requires.
 */
export const noticeTokens = sqliteTable("notice_tokens", {
  id: text("id").primaryKey(),
  userId: text("user_id").notNull().references(() => users.id, { onDelete: "cascade" }),
  tokenHash: text("token_hash").notNull(),
  /** The notification the link came in, e.g. "password_changed". */
  kind: text("kind").notNull(),
  createdAt: integer("created_at").notNull(),
  expiresAt: integer("expires_at").notNull(),
  usedAt: integer("used_at"),
  usedBy: text("used_by"),
}, (t) => [
  uniqueIndex("notice_tokens_hash_idx").on(t.tokenHash),
  index("notice_tokens_user_idx").on(t.userId),
  index("notice_tokens_expires_idx").on(t.expiresAt),
]);

/**
 * Browsers and addresses a user has signed in from, for the new-device mail: a browser is a
 * random id in a long-lived cookie, an address the client IP, both stored as keyed hashes.
 */
export const knownSignIns = sqliteTable("known_sign_ins", {
  userId: text("user_id").notNull().references(() => users.id, { onDelete: "cascade" }),
  /** "device" | "address" */
  kind: text("kind").notNull(),
  valueHash: text("value_hash").notNull(),
  firstSeenAt: integer("first_seen_at").notNull(),
  lastSeenAt: integer("last_seen_at").notNull(),
}, (t) => [primaryKey({ columns: [t.userId, t.kind, t.valueHash] })]);

/**
 * WebAuthn credentials (security keys and passkeys) beside the TOTP authenticators. The public
 * key is not a secret; nothing here lets anyone sign in without the authenticator.
 */
export const webauthnCredentials = sqliteTable("webauthn_credentials", {
  id: text("id").primaryKey(),
  userId: text("user_id").notNull().references(() => users.id, { onDelete: "cascade" }),
  /** The authenticator's credential id, base64url. */
  credentialId: text("credential_id").notNull(),
  /** The COSE public key, base64url. */
  publicKey: text("public_key").notNull(),
  /** The signature counter last seen (0 for authenticators that keep none). */
  counter: integer("counter").notNull().default(0),
  /** JSON array of transports the authenticator reported ("usb", "internal", "hybrid"...). */
  transports: text("transports").notNull().default("[]"),
  name: text("name").notNull(),
  /** The RP ID it was registered under: an assertion counts only for the same one. */
  rpId: text("rp_id").notNull(),
  /** A passkey that may be synced to other devices, and whether it is (WebAuthn flags BE, BS). */
  backupEligible: integer("backup_eligible", { mode: "boolean" }).notNull().default(false),
  backedUp: integer("backed_up", { mode: "boolean" }).notNull().default(false),
  /** User verification (PIN, biometrics) was performed at registration. */
  userVerified: integer("user_verified", { mode: "boolean" }).notNull().default(false),
  /** A discoverable credential (a passkey that can sign in without a username). */
  discoverable: integer("discoverable", { mode: "boolean" }).notNull().default(false),
  createdAt: integer("created_at").notNull(),
  lastUsedAt: integer("last_used_at"),
}, (t) => [
  uniqueIndex("webauthn_credentials_credential_idx").on(t.credentialId),
  index("webauthn_credentials_user_idx").on(t.userId),
]);

/**
 * WebAuthn challenges: random, single use (consumed by one conditional UPDATE), short-lived,
 * bound to what they were issued for: a pending login, a session, or (passkey sign-in) nothing.
 */
export const webauthnChallenges = sqliteTable("webauthn_challenges", {
  id: text("id").primaryKey(),
  /** "register" | "second_factor" | "passkey" */
  purpose: text("purpose").notNull(),
  /** The user it was issued for (null for a passkey sign-in, which learns the user from it). */
  userId: text("user_id"),
  /** The pending login id (second factor) or session id (registration); "" for passkey. */
  boundTo: text("bound_to").notNull(),
  /** The challenge, base64url. */
  challenge: text("challenge").notNull(),
  /** The RP ID and origin the options were made for; the answer must match them. */
  rpId: text("rp_id").notNull(),
  origin: text("origin").notNull(),
  createdAt: integer("created_at").notNull(),
  expiresAt: integer("expires_at").notNull(),
  consumedAt: integer("consumed_at"),
}, (t) => [index("webauthn_challenges_expiry_idx").on(t.expiresAt)]);
