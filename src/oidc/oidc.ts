/**
 * @module The OpenID Connect provider's rules, pure: what an authorization request may ask,
 * PKCE (S256 only), when a login must be fresh, which claims each scope releases, and the
 * `acr` a login earns. No HTTP, no SQL: values and `now` in, a result out.
 */
import { toBase64Url, utf8 } from "../lib/encoding.ts";
import { timingSafeEqual } from "../lib/crypto.ts";

/** The scopes we know; others are dropped from the request (RFC 6749 3.3). */
export const OIDC_SCOPES = ["openid", "profile", "email", "groups", "offline_access"] as const;
export type OidcScope = (typeof OIDC_SCOPES)[number];

/** `acr` values: a second factor (code, recovery code or trusted device) was part of the login. */
export const ACR_2FA = "urn:twofold:acr:2fa";
/** `acr` value: the password alone (a grace period, or a policy that does not ask for 2FA). */
export const ACR_PASSWORD = "urn:twofold:acr:password";

/** ID tokens and access tokens: short lived; refresh tokens carry the session on. */
export const ACCESS_TOKEN_SECONDS = 600;
/** Authorization codes live one minute and are used once (RFC 6749 4.1.2 says at most 10). */
export const CODE_SECONDS = 60;
/** The most a refresh token lives; it never outlives the twofold session it came from. */
export const REFRESH_TOKEN_DAYS = 30;

export type ClientView = {
  id: string;
  redirectUris: string[];
  isPublic: boolean;
};

export type AuthorizeRequest = {
  clientId: string;
  redirectUri: string;
  scope: OidcScope[];
  state?: string;
  nonce?: string;
  codeChallenge?: string;
  prompt: { none: boolean; login: boolean };
  /** Seconds; 0 means the same as prompt=login. */
  maxAge?: number;
};

/**
 * An error of the authorization request. `redirect: false` when the client or the redirect URI
 * cannot be trusted: then the browser is never sent anywhere (RFC 6749 4.1.2.1), the page says
 * what is wrong.
 */
export type AuthorizeError = {
  ok: false;
  redirect: boolean;
  error: string;
  description: string;
};

const err = (redirect: boolean, error: string, description: string): AuthorizeError => ({
  ok: false,
  redirect,
  error,
  description,
});

const VERIFIER_PATTERN = /^[A-Za-z0-9._~-]{43,128}$/;
const CHALLENGE_PATTERN = /^[A-Za-z0-9_-]{43}$/;

/**
 * Checks an authorization request against its client. Only the code flow (`response_type=code`);
 * `redirect_uri` must equal one registered exactly; PKCE must be S256, and a public client must
 * use it. The client (or null if unknown) is looked up by the caller.
 */
export function checkAuthorizeRequest(
  params: Record<string, string | undefined>,
  client: ClientView | null,
): { ok: true; request: AuthorizeRequest } | AuthorizeError {
  if (!client) return err(false, "invalid_client", "Unknown client_id.");
  const redirectUri = params.redirect_uri;
  if (!redirectUri || !client.redirectUris.includes(redirectUri)) {
    return err(false, "invalid_request", "redirect_uri is not registered for this client.");
  }
  for (const p of ["request", "request_uri"]) {
    if (params[p] !== undefined) {
      return err(true, `${p}_not_supported`, `The ${p} parameter is not supported.`);
    }
  }
  if (params.response_type !== "code") {
    return err(true, "unsupported_response_type", "Only response_type=code is supported.");
  }
  if (params.response_mode !== undefined && params.response_mode !== "query") {
    return err(true, "invalid_request", "Only response_mode=query is supported.");
  }
  const asked = (params.scope ?? "").split(" ").filter(Boolean);
  if (!asked.includes("openid")) return err(true, "invalid_scope", "The openid scope is required.");
  const scope = OIDC_SCOPES.filter((s) => asked.includes(s));
  const { state, nonce } = params;
  if (state !== undefined && state.length > 1024) {
    return err(true, "invalid_request", "state is too long.");
  }
  if (nonce !== undefined && nonce.length > 512) {
    return err(true, "invalid_request", "nonce is too long.");
  }
  const method = params.code_challenge_method;
  const challenge = params.code_challenge;
  if (challenge !== undefined || method !== undefined) {
    if (method !== "S256") {
      return err(true, "invalid_request", "code_challenge_method must be S256.");
    }
    if (!challenge || !CHALLENGE_PATTERN.test(challenge)) {
      return err(true, "invalid_request", "code_challenge must be a base64url SHA-256.");
    }
  } else if (client.isPublic) {
    return err(true, "invalid_request", "A public client must use PKCE (S256).");
  }
  const prompts = (params.prompt ?? "").split(" ").filter(Boolean);
  if (prompts.includes("none") && prompts.length > 1) {
    return err(true, "invalid_request", "prompt=none cannot be combined with another prompt.");
  }
  let maxAge: number | undefined;
  if (params.max_age !== undefined) {
    if (!/^\d{1,9}$/.test(params.max_age)) {
      return err(true, "invalid_request", "max_age must be a whole number of seconds.");
    }
    maxAge = Number(params.max_age);
  }
  return {
    ok: true,
    request: {
      clientId: client.id,
      redirectUri,
      scope,
      ...(state !== undefined ? { state } : {}),
      ...(nonce !== undefined ? { nonce } : {}),
      ...(challenge !== undefined ? { codeChallenge: challenge } : {}),
      prompt: { none: prompts.includes("none"), login: prompts.includes("login") },
      ...(maxAge !== undefined ? { maxAge } : {}),
    },
  };
}

/**
 * Whether the user must sign in (again) before a code is issued: no session, `prompt=login` or
 * `max_age=0`, or a login older than `max_age` seconds.
 */
export function loginNeeded(
  request: Pick<AuthorizeRequest, "prompt" | "maxAge">,
  authTime: Date | null,
  now: Date,
): boolean {
  if (!authTime) return true;
  if (request.prompt.login || request.maxAge === 0) return true;
  if (request.maxAge !== undefined) {
    return now.getTime() - authTime.getTime() > request.maxAge * 1000;
  }
  return false;
}

/** base64url(SHA-256(verifier)) (RFC 7636 4.2). */
export async function s256(verifier: string): Promise<string> {
  return toBase64Url(new Uint8Array(await crypto.subtle.digest("SHA-256", utf8.encode(verifier))));
}

/**
 * Checks a PKCE verifier against the code's challenge (RFC 7636 4.6). A code issued without a
 * challenge refuses any verifier: PKCE downgrade (RFC 9700 4.8.2).
 */
export async function pkceMatches(
  challenge: string | null,
  verifier: string | undefined,
): Promise<boolean> {
  if (challenge === null) return verifier === undefined;
  if (verifier === undefined || !VERIFIER_PATTERN.test(verifier)) return false;
  return timingSafeEqual(await s256(verifier), challenge);
}

/** The `acr` of a login from its methods (RFC 8176 `amr` values). */
export function acrOf(amr: string[]): string {
  return amr.some((m) => m === "otp" || m === "rec" || m === "dev" || m === "hwk")
    ? ACR_2FA
    : ACR_PASSWORD;
}

/**
 * `amr` as OpenID Connect apps read it (RFC 8176): `pwd`, `otp`; a recovery code is a one-time
 * password too, and a trusted device is the remembered proof of one (`mfa` says a second
 * factor took part).
 */
export function oidcAmr(amr: string[]): string[] {
  const out = new Set<string>();
  for (const m of amr) {
    if (m === "pwd") out.add("pwd");
    else if (m === "otp" || m === "rec") out.add("otp");
    else if (m === "dev") out.add("dev");
    else out.add(m);
  }
  if (acrOf(amr) === ACR_2FA) out.add("mfa");
  return [...out];
}

export type ClaimsUser = {
  id: string;
  username: string;
  displayName: string;
  email: string | null;
  groups: string[];
  roles: string[];
};

/** The user's claims released by `scope` (OIDC Core 5.4); `sub` is the stable user id. */
export function claimsFor(scope: readonly string[], user: ClaimsUser): Record<string, unknown> {
  const claims: Record<string, unknown> = { sub: user.id };
  if (scope.includes("profile")) {
    claims.name = user.displayName;
    claims.preferred_username = user.displayName;
  }
  if (scope.includes("email") && user.email) {
    claims.email = user.email;
    // twofold never proves that a person owns their address.
    claims.email_verified = false;
  }
  if (scope.includes("groups")) {
    claims.groups = user.groups;
    claims.roles = user.roles;
  }
  return claims;
}

/** Whether `uri` may be registered as a redirect URI: absolute http(s), no fragment. */
export function validRedirectUri(uri: string): boolean {
  if (uri.length > 2000) return false;
  // deno-lint-ignore no-control-regex
  if (/[\u0000-\u0020\u007f\\]/.test(uri)) return false;
  try {
    const url = new URL(uri);
    return (url.protocol === "https:" || url.protocol === "http:") && !url.hash &&
      !uri.includes("#") && !url.username && !url.password;
  } catch {
    return false;
  }
}
