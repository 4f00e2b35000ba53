/**
 * @module The shapes of the JSON answers, for the OpenAPI document. Requests are documented from
 * the schemas the routes validate with; answers are built by the handlers, so their shapes live
 * here and tests/openapi_test.ts checks real answers against them (no missing or extra field).
 */
import { z } from "zod";
import { type ErrorCode, ERRORS } from "../lib/errors.ts";
import { SCOPES } from "../lib/scopes.ts";
import { passwordPolicySchema } from "../passwords/policy.ts";
import { loginPolicySchema } from "../policy/policy.ts";

const iso = z.iso.datetime();
const isoOrNull = iso.nullable();
const amr = z.array(z.enum(["pwd", "otp", "rec", "dev", "pop", "mfa"])).describe(
  "How the session was authenticated: pwd (password), otp (authenticator code), " +
    "rec (recovery code), dev (trusted device), pop (security key or passkey), mfa (a passkey " +
    "with user verification, alone).",
);

/** Every error answer: one code from the error table, its message, and field errors for 400. */
export const errorSchema = z.object({
  error: z.object({
    code: z.enum(Object.keys(ERRORS) as [ErrorCode, ...ErrorCode[]]),
    message: z.string(),
    fields: z.record(z.string(), z.array(z.string())).optional().describe(
      "Field name (dotted for nested fields, `_body` for the body as a whole) -> messages.",
    ),
  }),
});

// ---- login ----

export const authenticatedResponse = z.object({
  status: z.literal("authenticated"),
  session_token: z.string(),
  expires_at: iso,
  enrollment_deadline: iso.optional().describe(
    "Set during a grace period: the date by which the user must add an authenticator.",
  ),
  trusted_device_token: z.string().optional().describe(
    "When `trust_device` was asked for: send it as `trusted_device_token` at the next login.",
  ),
  recovery_codes_remaining: z.number().int().optional(),
  refresh_token: z.string().optional().describe(
    "After password and second factor over JSON: trade it at POST /api/v1/session/refresh " +
      "for a new session token and refresh token (single use).",
  ),
  refresh_expires_at: iso.optional().describe(
    "The end of the refresh chain (the remember-me lifetime from this login).",
  ),
});

export const delegationResponse = z.object({
  session_token: z.string().describe("A session of the user, naming the admin (act_sub)."),
  expires_at: iso,
});

export const refreshResponse = z.object({
  session_token: z.string(),
  expires_at: iso,
  refresh_token: z.string(),
  refresh_expires_at: iso,
});

export const passwordChangeResponse = z.object({
  status: z.literal("password_change_required").describe(
    "The password is older than the policy allows: send a new one to POST /api/v1/login/password.",
  ),
  pending_token: z.string(),
  expires_at: iso,
});

export const loginResponse = z.union([
  authenticatedResponse,
  z.object({
    status: z.literal("second_factor_required"),
    pending_token: z.string(),
    expires_at: iso,
    methods: z.array(z.enum(["totp", "recovery_code", "webauthn"])),
  }),
  z.object({
    status: z.literal("enrollment_required"),
    pending_token: z.string(),
    expires_at: iso,
  }),
  passwordChangeResponse,
]);

/** A second-factor step's answer: signed in, or the expired password's change step. */
export const secondFactorResponse = z.union([authenticatedResponse, passwordChangeResponse]);

// ---- enrollment ----

export const enrollmentResponse = z.object({
  enrollment_id: z.string(),
  secret: z.string().describe("The TOTP key in base32, for typing into an app."),
  otpauth_uri: z.string(),
  qr_svg: z.string().describe("The otpauth URI as an SVG QR code."),
  expires_at: iso,
});

export const enrollmentConfirmedResponse = z.object({
  authenticator: z.object({ id: z.string(), label: z.string(), created_at: iso }),
  recovery_codes: z.array(z.string()).describe("Shown once; empty when the user has a set."),
  session_token: z.string().optional().describe("When the enrollment was part of a login."),
  expires_at: iso.optional(),
});

// ---- session ----

const userRef = z.object({ id: z.string(), username: z.string(), roles: z.array(z.string()) });

export const sessionResponse = z.union([
  z.object({
    user: userRef,
    session: z.object({ id: z.string(), amr, created_at: iso, expires_at: iso }),
  }),
  z.object({
    user: userRef,
    api_key: z.object({
      id: z.string(),
      kind: z.enum(["pat", "api_key"]),
      name: z.string(),
      scopes: z.array(z.enum(SCOPES)),
      expires_at: iso,
    }),
  }),
]);

// ---- self-service ----

export const reauthResponse = z.object({ fresh_until: iso });

const authenticator = z.object({
  id: z.string(),
  label: z.string(),
  created_at: isoOrNull,
  last_used_at: isoOrNull,
  clock_drift: z.object({ direction: z.enum(["behind", "ahead"]), seconds: z.number() })
    .nullable()
    .describe("Set when the last codes all landed one step off: the phone's clock is wrong."),
});
export const authenticatorsResponse = z.object({ authenticators: z.array(authenticator) });
export const authenticatorResponse = z.object({ authenticator });
export const recoveryRemainingResponse = z.object({ remaining: z.number().int() });
export const recoveryCodesResponse = z.object({
  recovery_codes: z.array(z.string()).describe("Shown once; the old set stops working."),
});

const device = z.object({
  id: z.string(),
  name: z.string(),
  created_at: isoOrNull,
  last_used_at: isoOrNull,
  expires_at: isoOrNull,
});
export const myDevicesResponse = z.object({
  trusted_devices: z.array(device.extend({ current: z.boolean() })),
});
export const userDevicesResponse = z.object({ trusted_devices: z.array(device) });

export const sessionsResponse = z.object({
  sessions: z.array(z.object({
    id: z.string(),
    created_at: isoOrNull,
    last_seen_at: isoOrNull,
    expires_at: isoOrNull,
    ip: z.string().nullable(),
    user_agent: z.string().nullable(),
    location: z.string().nullable().describe(
      "Where the platform placed the client; null: unknown.",
    ),
    second_factor: z.string().describe("The second factor of that login, in words."),
    amr,
    current: z.boolean(),
  })),
});

// ---- passwords ----

export const resetRequestedResponse = z.object({ status: z.literal("requested") });

// ---- tokens ----

export const keyJson = z.object({
  id: z.string(),
  kind: z.enum(["pat", "api_key"]),
  name: z.string(),
  prefix: z.string().describe("The first characters of the key, to recognise it."),
  scopes: z.array(z.enum(SCOPES)),
  created_at: isoOrNull,
  expires_at: isoOrNull,
  last_used_at: isoOrNull,
  username: z.string().optional().describe("Whose key it is (admin lists)."),
});
export const tokensResponse = z.object({ tokens: z.array(keyJson) });
export const tokenCreatedResponse = keyJson.extend({
  token: z.string().describe("The personal access token. Shown only in this answer."),
});
export const apiKeysResponse = z.object({ api_keys: z.array(keyJson) });
export const apiKeyCreatedResponse = keyJson.extend({
  api_key: z.string().describe("The API key. Shown only in this answer."),
});

// ---- admin ----

const adminUser = z.object({
  id: z.string(),
  username: z.string(),
  email: z.string().nullable(),
  roles: z.array(z.string()),
  groups: z.array(z.string()),
  disabled: z.boolean(),
  service_account: z.boolean(),
  twofa: z.object({
    status: z.enum(["enrolled", "not_enrolled", "required_not_enrolled", "grace"]),
    required: z.boolean(),
    explicitly_required: z.boolean(),
    authenticators: z.number().int(),
    grace_deadline: isoOrNull,
    enrollment_pass_pending: z.boolean(),
  }),
  locked: z.boolean(),
  locked_until: isoOrNull,
  locked_permanently: z.boolean().describe(
    "Locked after too many lockouts, until an admin unlocks.",
  ),
  created_at: isoOrNull,
});
export const adminUsersResponse = z.object({
  users: z.array(adminUser),
  total: z.number().int(),
  page: z.number().int(),
  page_size: z.number().int(),
});
export const adminUserResponse = z.object({ user: adminUser });
export const adminUserDetailResponse = z.object({
  user: adminUser,
  authenticators: z.array(authenticator).describe("Labels, use and clock drift; no secrets."),
});
export const resetTwofaResponse = z.object({
  mode: z.enum(["pass", "plain"]),
  enrollment_pass: z.string().nullable().describe("Shown only here; null in plain mode."),
  enrollment_pass_expires_at: isoOrNull,
});
export const graceResponse = z.object({ grace_until: iso });
export const policyResponse = z.object({ policy: loginPolicySchema });
export const policySavedResponse = z.object({
  policy: loginPolicySchema,
  would_block: z.array(z.string()),
});
export const policyPreviewResponse = z.object({
  would_block: z.array(z.string()).describe(
    "Usernames without an authenticator who would have to enroll at their next login.",
  ),
  count: z.number().int(),
});
export const passwordPolicyResponse = z.object({ policy: passwordPolicySchema });
export const auditResponse = z.object({
  events: z.array(z.object({
    id: z.string(),
    at: iso,
    event: z.string(),
    outcome: z.string(),
    user_id: z.string().nullable(),
    username: z.string().nullable(),
    ip: z.string().nullable(),
    user_agent: z.string().nullable(),
    detail: z.record(z.string(), z.unknown()),
  })),
});
export const alertsResponse = z.object({
  alerts: z.array(z.object({
    id: z.string(),
    at: iso,
    kind: z.string(),
    username: z.string().nullable(),
    detail: z.record(z.string(), z.unknown()),
  })),
});

// ---- meta ----

export const healthResponse = z.object({ status: z.literal("ok") });
export const jwksResponse = z.object({
  keys: z.array(z.union([
    z.object({
      kty: z.literal("OKP"),
      crv: z.literal("Ed25519"),
      x: z.string(),
      kid: z.string(),
      alg: z.literal("EdDSA"),
      use: z.literal("sig"),
    }),
    z.object({
      kty: z.literal("EC"),
      crv: z.literal("P-256"),
      x: z.string(),
      y: z.string(),
      kid: z.string(),
      alg: z.literal("ES256"),
      use: z.literal("sig"),
    }),
  ])),
});

// ---- OpenID Connect clients ----

const oidcClient = z.object({
  client_id: z.string(),
  name: z.string(),
  public: z.boolean(),
  redirect_uris: z.array(z.string()),
  post_logout_redirect_uris: z.array(z.string()),
  signing_alg: z.enum(["EdDSA", "RS256"]),
  created_at: iso,
});
export const oidcClientResponse = oidcClient;
export const oidcClientsResponse = z.object({ clients: z.array(oidcClient) });
export const oidcClientCreatedResponse = oidcClient.extend({
  client_secret: z.string().nullable().describe(
    "Shown in this answer only (stored hashed); null for a public client.",
  ),
});
export const oidcSecretResponse = z.object({
  client_secret: z.string().describe("Shown in this answer only; the old secret no longer works."),
});
