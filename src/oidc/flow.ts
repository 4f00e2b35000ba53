/**
 * @module The OpenID Connect provider's steps: issue a code to a signed-in browser, exchange it
 * (PKCE, exact redirect URI, single use; a replay revokes what it issued), rotate refresh tokens
 * (a reused one revokes the chain), answer userinfo, and end a session from an app. Every token
 * lives only as long as its grant: the twofold session it came from, the user not disabled, the
 * user's credential epoch unchanged.
 */
import {
  createLocalJWKSet,
  decodeProtectedHeader,
  type JWTPayload,
  jwtVerify,
  SignJWT,
} from "jose";
import { audit } from "../audit/repo.ts";
import type { Deps } from "../deps.ts";
import { DAY, MINUTE } from "../lib/clock.ts";
import { randomBytes, randomId, sha256Hex } from "../lib/crypto.ts";
import { toBase64Url } from "../lib/encoding.ts";
import type { RequestMeta } from "../http/client.ts";
import type { SigningKeys } from "../tokens/tokens.ts";
import type { SessionContext } from "../sessions/service.ts";
import { touchSession } from "../sessions/repo.ts";
import type { UserRow } from "../users/repo.ts";
import { parseRoles } from "../users/users.ts";
import {
  ACCESS_TOKEN_SECONDS,
  acrOf,
  type AuthorizeRequest,
  claimsFor,
  CODE_SECONDS,
  oidcAmr,
  pkceMatches,
  REFRESH_TOKEN_DAYS,
} from "./oidc.ts";
import {
  consumeCode,
  findCode,
  findLiveGrant,
  grantOfUsedRefreshToken,
  insertCode,
  insertRefreshToken,
  type LiveGrant,
  type OidcClientRow,
  revokeGrant,
  useRefreshToken,
} from "./repo.ts";

/** The issuer of OpenID Connect tokens: PUBLIC_URL without a trailing slash. Null if unset. */
export function oidcIssuer(deps: Deps): string | null {
  const url = deps.config.PUBLIC_URL;
  return url ? url.replace(/\/+$/, "") : null;
}

/** The algorithms our OpenID Connect tokens may be signed with. */
export function oidcAlgorithms(keys: SigningKeys): string[] {
  return [...new Set([keys.alg, ...(keys.rsa ? ["RS256"] : [])])];
}

const ACCESS_TOKEN_TYP = "at+jwt";

/** Signs with the key the client asked for: the service's default, or the RSA key for RS256. */
async function sign(
  deps: Deps,
  client: OidcClientRow,
  payload: JWTPayload,
  typ: string,
): Promise<string> {
  const rsa = client.signingAlg === "RS256" ? deps.keys.rsa : undefined;
  if (client.signingAlg === "RS256" && !rsa) throw new Error("RS256 client without an RSA key");
  const alg = rsa ? "RS256" : deps.keys.alg;
  return await new SignJWT(payload)
    .setProtectedHeader({ alg, typ, kid: rsa ? rsa.kid : deps.keys.kid })
    .sign(rsa ? rsa.privateKey : deps.keys.privateKey);
}

const publishedKeys = new WeakMap<SigningKeys, ReturnType<typeof createLocalJWKSet>>();

/** Verifies one of our own OpenID Connect tokens (any of our published keys). */
async function verifyOwn(
  deps: Deps,
  token: string,
  options: { typ?: string; audience?: string; ignoreExpiry?: boolean },
): Promise<JWTPayload | null> {
  const issuer = oidcIssuer(deps);
  if (!issuer || typeof token !== "string" || token.length > 8192) return null;
  let keySet = publishedKeys.get(deps.keys);
  if (!keySet) publishedKeys.set(deps.keys, keySet = createLocalJWKSet(deps.keys.jwks));
  try {
    const header = decodeProtectedHeader(token);
    if (["jwk", "jku", "x5u", "x5c", "crit"].some((h) => h in header)) return null;
    const now = deps.clock.now();
    const { payload } = await jwtVerify(token, keySet, {
      algorithms: oidcAlgorithms(deps.keys),
      issuer,
      ...(options.typ ? { typ: options.typ } : {}),
      ...(options.audience ? { audience: options.audience } : {}),
      // An id_token_hint may have expired (OIDC RP-Initiated Logout 1.0, 2): only its
      // signature, issuer and audience count then.
      currentDate: options.ignoreExpiry ? new Date(0) : now,
      clockTolerance: options.ignoreExpiry ? 1e10 : 0,
    });
    return payload;
  } catch {
    return null;
  }
}

/** An error of the token endpoint (RFC 6749 5.2). */
export type TokenError = {
  ok: false;
  error: "invalid_request" | "invalid_grant" | "invalid_client" | "unsupported_grant_type";
  description: string;
};

const tokenError = (error: TokenError["error"], description: string): TokenError => ({
  ok: false,
  error,
  description,
});

export type TokenResponse = {
  access_token: string;
  token_type: "Bearer";
  expires_in: number;
  id_token: string;
  scope: string;
  refresh_token?: string;
};

/**
 * Issues a code to the signed-in user for a checked authorization request. Access rules of the
 * single-sign-on issue, when they exist, belong in front of this call (see routes.tsx).
 */
export async function issueCode(
  deps: Deps,
  input: { request: AuthorizeRequest; ctx: SessionContext; user: UserRow },
): Promise<string> {
  const now = deps.clock.now();
  const code = toBase64Url(randomBytes(32));
  await insertCode(deps.db, {
    id: await sha256Hex(code),
    clientId: input.request.clientId,
    userId: input.user.id,
    sessionId: input.ctx.session.id,
    redirectUri: input.request.redirectUri,
    scope: input.request.scope.join(" "),
    nonce: input.request.nonce ?? null,
    codeChallenge: input.request.codeChallenge ?? null,
    credentialEpoch: input.user.credentialEpoch,
    createdAt: now.getTime(),
    expiresAt: now.getTime() + CODE_SECONDS * 1000,
    usedAt: null,
    grantId: null,
  });
  return code;
}

/** The ID token, access token and (with offline_access) a new refresh token of a live grant. */
async function tokensFor(
  deps: Deps,
  client: OidcClientRow,
  live: LiveGrant,
  options: { nonce: string | null; refresh: boolean },
): Promise<TokenResponse> {
  const issuer = oidcIssuer(deps)!;
  const now = deps.clock.now();
  const iat = Math.floor(now.getTime() / 1000);
  const exp = iat + ACCESS_TOKEN_SECONDS;
  const scope = live.grant.scope.split(" ").filter(Boolean);
  const amr: string[] = JSON.parse(live.session.amr);
  const claims = liveClaims(scope, live);
  const idToken = await sign(deps, client, {
    ...claims,
    iss: issuer,
    aud: client.id,
    azp: client.id,
    iat,
    exp,
    // The login behind the session, truthfully: when it happened and with what.
    auth_time: Math.floor(live.session.createdAt / 1000),
    amr: oidcAmr(amr),
    acr: acrOf(amr),
    sid: live.grant.id,
    ...(options.nonce !== null ? { nonce: options.nonce } : {}),
  }, "JWT");
  const accessToken = await sign(deps, client, {
    iss: issuer,
    sub: live.user.id,
    aud: issuer,
    client_id: client.id,
    scope: live.grant.scope,
    gid: live.grant.id,
    jti: randomId(),
    iat,
    exp,
  }, ACCESS_TOKEN_TYP);
  const response: TokenResponse = {
    access_token: accessToken,
    token_type: "Bearer",
    expires_in: ACCESS_TOKEN_SECONDS,
    id_token: idToken,
    scope: live.grant.scope,
  };
  if (options.refresh && scope.includes("offline_access")) {
    const refreshToken = toBase64Url(randomBytes(32));
    const expiresAt = Math.min(
      now.getTime() + REFRESH_TOKEN_DAYS * DAY,
      live.session.expiresAt,
    );
    await insertRefreshToken(deps.db, {
      id: await sha256Hex(refreshToken),
      grantId: live.grant.id,
      createdAt: now.getTime(),
      expiresAt,
    });
    response.refresh_token = refreshToken;
  }
  return response;
}

const idleMs = (deps: Deps) => deps.config.SESSION_IDLE_MINUTES * MINUTE;

/**
 * A used code or refresh token presented again by its client: two parties hold it, so the grant
 * it came from is revoked (RFC 9700 4.14.2), and that is audited.
 */
async function revokeReused(
  deps: Deps,
  reason: "code_reuse" | "refresh_reuse",
  input: { grantId: string; userId: string; clientId: string; meta: RequestMeta },
  now: Date,
): Promise<void> {
  const revoked = await revokeGrant(deps.db, input.grantId, reason, now);
  await audit(deps.db, {
    event: `oidc.${reason}`,
    outcome: "failure",
    userId: input.userId,
    ...input.meta,
    detail: { client: input.clientId, grant: input.grantId, revoked },
  }, now);
}

/** Tokens issued for a live grant: the success audit entry. */
async function auditIssued(
  deps: Deps,
  live: LiveGrant,
  meta: RequestMeta,
  detail: Record<string, unknown>,
  now: Date,
): Promise<void> {
  await audit(deps.db, {
    event: "oidc.token",
    outcome: "success",
    userId: live.user.id,
    username: live.user.username,
    ...meta,
    detail,
  }, now);
}

/**
 * grant_type=authorization_code. The code is consumed first, whatever follows: a code that fails
 * a later check (expired, other client, other redirect URI, wrong PKCE verifier) is dead too,
 * and so is the grant it opened. A code presented a second time revokes the grant the first
 * exchange opened (RFC 6749 4.1.2): someone else had it.
 */
export async function exchangeCode(
  deps: Deps,
  input: {
    client: OidcClientRow;
    code: string | undefined;
    redirectUri: string | undefined;
    codeVerifier: string | undefined;
    meta: RequestMeta;
  },
): Promise<{ ok: true; tokens: TokenResponse } | TokenError> {
  const { client } = input;
  if (!input.code || input.code.length > 200) return tokenError("invalid_request", "code missing");
  const now = deps.clock.now();
  const codeHash = await sha256Hex(input.code);
  const grantId = randomId();
  const code = await consumeCode(deps.db, { codeHash, grantId, now });
  if (!code) {
    const replayed = await findCode(deps.db, codeHash);
    if (replayed?.grantId && replayed.clientId === client.id) {
      await revokeReused(deps, "code_reuse", {
        grantId: replayed.grantId,
        userId: replayed.userId,
        clientId: client.id,
        meta: input.meta,
      }, now);
    }
    return tokenError("invalid_grant", "The code is invalid, expired or already used.");
  }
  const refuse = async (why: string) => {
    await revokeGrant(deps.db, grantId, why, now);
    await audit(deps.db, {
      event: "oidc.token",
      outcome: "failure",
      userId: code.userId,
      ...input.meta,
      detail: { client: client.id, grant_type: "authorization_code", reason: why },
    }, now);
    return tokenError("invalid_grant", "The code is invalid, expired or already used.");
  };
  if (code.clientId !== client.id) return await refuse("other_client");
  if (code.expiresAt <= now.getTime()) return await refuse("code_expired");
  if (input.redirectUri !== code.redirectUri) return await refuse("redirect_uri_mismatch");
  if (!(await pkceMatches(code.codeChallenge, input.codeVerifier))) {
    return await refuse("pkce_failed");
  }
  const live = await findLiveGrant(deps.db, grantId, now, idleMs(deps));
  if (!live) return await refuse("session_ended");
  const tokens = await tokensFor(deps, client, live, { nonce: code.nonce, refresh: true });
  await auditIssued(deps, live, input.meta, {
    client: client.id,
    grant: grantId,
    grant_type: "authorization_code",
    scope: live.grant.scope,
    refresh_token: tokens.refresh_token !== undefined,
  }, now);
  return { ok: true, tokens };
}

/**
 * grant_type=refresh_token: the token is used once and replaced (rotation). A used token
 * presented again means two parties hold it: the whole grant (every refresh and access token
 * descended from the code) is revoked (RFC 9700 4.14.2).
 */
export async function refreshTokens(
  deps: Deps,
  input: { client: OidcClientRow; refreshToken: string | undefined; meta: RequestMeta },
): Promise<{ ok: true; tokens: TokenResponse } | TokenError> {
  const { client } = input;
  if (!input.refreshToken || input.refreshToken.length > 200) {
    return tokenError("invalid_request", "refresh_token missing");
  }
  const now = deps.clock.now();
  const tokenHash = await sha256Hex(input.refreshToken);
  const invalid = tokenError("invalid_grant", "The refresh token is invalid or expired.");
  const grantId = await useRefreshToken(deps.db, tokenHash, now);
  if (!grantId) {
    const reused = await grantOfUsedRefreshToken(deps.db, tokenHash);
    if (reused && reused.clientId === client.id) {
      await revokeReused(deps, "refresh_reuse", {
        grantId: reused.id,
        userId: reused.userId,
        clientId: client.id,
        meta: input.meta,
      }, now);
    }
    return invalid;
  }
  const live = await findLiveGrant(deps.db, grantId, now, idleMs(deps));
  if (!live || live.grant.clientId !== client.id) return invalid;
  // The user is active in the app: that counts as activity of the session it hangs on, so an
  // app in use does not lose its sign-in to the idle timeout (absolute expiry still applies).
  await touchSession(deps.db, live.session.id, now);
  const tokens = await tokensFor(deps, client, live, { nonce: null, refresh: true });
  await auditIssued(deps, live, input.meta, {
    client: client.id,
    grant: grantId,
    grant_type: "refresh_token",
  }, now);
  return { ok: true, tokens };
}

/** The claims of the user behind a live access token (OIDC Core 5.3), or null. */
export async function userinfo(
  deps: Deps,
  accessToken: string | undefined,
): Promise<Record<string, unknown> | null> {
  const issuer = oidcIssuer(deps);
  if (!accessToken || !issuer) return null;
  const payload = await verifyOwn(deps, accessToken, { typ: ACCESS_TOKEN_TYP, audience: issuer });
  if (!payload || typeof payload.gid !== "string") return null;
  const live = await findLiveGrant(deps.db, payload.gid, deps.clock.now(), idleMs(deps));
  if (!live || live.user.id !== payload.sub) return null;
  return liveClaims(live.grant.scope.split(" "), live);
}

/** The claims `scope` allows of the user behind a live grant. */
function liveClaims(scope: string[], live: LiveGrant) {
  return claimsFor(scope, {
    id: live.user.id,
    username: live.user.username,
    displayName: live.user.displayName,
    email: live.user.email,
    groups: parseRoles(live.user.groups),
    roles: parseRoles(live.user.roles),
  });
}

/**
 * The client and grant named by an `id_token_hint` of ours (signature and issuer checked, expiry
 * not), or null.
 */
export async function readIdTokenHint(
  deps: Deps,
  idToken: string | undefined,
): Promise<{ clientId: string; grantId: string; userId: string } | null> {
  if (!idToken) return null;
  const payload = await verifyOwn(deps, idToken, { typ: "JWT", ignoreExpiry: true });
  if (!payload || typeof payload.aud !== "string" || typeof payload.sid !== "string") return null;
  return { clientId: payload.aud, grantId: payload.sid, userId: payload.sub! };
}
