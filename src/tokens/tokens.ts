/**
 * @module The three token kinds (pending, session, trusted device) signed by jose with EdDSA
 * (Ed25519; new keys) or ES256 (keys made before, still accepted).
 *
 * Each kind has its own `typ` and `aud`, and verification pins the algorithm, the type and the
 * audience, so a token of one kind is refused wherever another is expected (RFC 8725 3.11-3.12).
 * Keys come only from our own key set, never from the token header (`jwk`, `jku`, `x5u`).
 */
import {
  createLocalJWKSet,
  decodeProtectedHeader,
  exportJWK,
  generateKeyPair,
  importJWK,
  type JWK,
  type JWTPayload,
  jwtVerify,
  SignJWT,
} from "jose";
import { randomId } from "../lib/crypto.ts";

/** The algorithm of new keys: Ed25519 signs and verifies about ten times faster than P-256. */
export const TOKEN_ALG = "EdDSA";
/** The algorithms we ever accept; each key set pins the subset its keys use. */
export type TokenAlg = "EdDSA" | "ES256";

/** The algorithm a private or public JWK is for; anything else is refused. */
export function algOf(jwk: JWK): TokenAlg {
  if (jwk.kty === "OKP" && jwk.crv === "Ed25519") return "EdDSA";
  if (jwk.kty === "EC" && jwk.crv === "P-256") return "ES256";
  throw new Error("a signing key must be Ed25519 (OKP) or P-256 (EC)");
}

export const TOKEN_KINDS = {
  pending: { typ: "twofold-pending+jwt", aud: "twofold:pending" },
  session: { typ: "twofold-session+jwt", aud: "twofold:session" },
  device: { typ: "twofold-device+jwt", aud: "twofold:device" },
} as const;

export type TokenKind = keyof typeof TOKEN_KINDS;

export type SigningKeys = {
  issuer: string;
  kid: string;
  privateKey: CryptoKey;
  /** Public keys, published at /.well-known/jwks.json. */
  /** The algorithm of the signing (newest) key. */
  alg: TokenAlg;
  /** Every algorithm of the key set: verification is pinned to these. */
  algorithms: TokenAlg[];
  jwks: { keys: JWK[] };
  verifyKey: ReturnType<typeof createLocalJWKSet>;
};

/** A new Ed25519 private key as a JWK with a `kid`. */
export async function generateSigningJwk(): Promise<JWK> {
  const { privateKey } = await generateKeyPair(TOKEN_ALG, { crv: "Ed25519", extractable: true });
  const jwk = await exportJWK(privateKey);
  return { ...jwk, kid: randomId(8), alg: TOKEN_ALG, use: "sig" };
}

/** Loads private JWKs (newest last): the newest signs, all verify. */
export async function loadSigningKeys(privateJwks: JWK[], issuer: string): Promise<SigningKeys> {
  const newest = privateJwks.at(-1);
  if (!newest?.kid || !newest.d) throw new Error("a signing key must be a private JWK with a kid");
  const alg = algOf(newest);
  const privateKey = await importJWK({ ...newest, alg }, alg) as CryptoKey;
  const publicKeys = privateJwks.map(({ d: _d, ...pub }) => ({
    ...pub,
    alg: algOf(pub),
    use: "sig",
  }));
  return {
    issuer,
    kid: newest.kid,
    alg,
    algorithms: [...new Set(publicKeys.map((k) => k.alg))],
    privateKey,
    jwks: { keys: publicKeys },
    verifyKey: createLocalJWKSet({ keys: publicKeys }),
  };
}

export type TokenClaims = {
  sub: string;
  jti: string;
  expiresAt: Date;
  extra?: Record<string, string | number | boolean>;
};

export async function signToken(
  keys: SigningKeys,
  kind: TokenKind,
  claims: TokenClaims,
  now: Date,
): Promise<string> {
  const { typ, aud } = TOKEN_KINDS[kind];
  return await new SignJWT({ ...claims.extra })
    .setProtectedHeader({ alg: keys.alg, typ, kid: keys.kid })
    .setIssuer(keys.issuer)
    .setAudience(aud)
    .setSubject(claims.sub)
    .setJti(claims.jti)
    .setIssuedAt(Math.floor(now.getTime() / 1000))
    .setExpirationTime(Math.floor(claims.expiresAt.getTime() / 1000))
    .sign(keys.privateKey);
}

export type VerifiedToken = {
  sub: string;
  jti: string;
  exp: number;
  iat: number;
  payload: JWTPayload;
};

export type TokenVerification =
  | { ok: true; token: VerifiedToken }
  | { ok: false; reason: "malformed" | "expired" | "invalid" };

const FORBIDDEN_HEADERS = ["jwk", "jku", "x5u", "x5c", "crit"];

/**
 * Tokens whose signature and claims already verified, per key set: a verification costs up to
 * 0.7 ms of CPU (ES256), and a session token is checked on every request. Only successes are
 * kept; a hit still checks the expiry against `now`, and whether the session is alive is
 * always decided by its row, so the cache changes speed, never an answer. Bounded, oldest out.
 */
const verified = new WeakMap<SigningKeys, Map<string, VerifiedToken>>();
const VERIFIED_CACHE_SIZE = 10_000;

function remember(keys: SigningKeys, cacheKey: string, token: VerifiedToken) {
  let cache = verified.get(keys);
  if (!cache) verified.set(keys, cache = new Map());
  if (cache.size >= VERIFIED_CACHE_SIZE) cache.delete(cache.keys().next().value!);
  cache.set(cacheKey, token);
}

/** Verifies a token of one kind; any other kind, algorithm, issuer or key is refused. */
export async function verifyToken(
  keys: SigningKeys,
  kind: TokenKind,
  token: string,
  now: Date,
): Promise<TokenVerification> {
  const cacheKey = `${kind}:${token}`;
  const hit = typeof token === "string" ? verified.get(keys)?.get(cacheKey) : undefined;
  if (hit) {
    // Same rule as jwtVerify with clockTolerance 0: expired once now >= exp.
    if (Math.floor(now.getTime() / 1000) >= hit.exp) return { ok: false, reason: "expired" };
    return { ok: true, token: hit };
  }
  const r = await verifyUncached(keys, kind, token, now);
  if (r.ok) remember(keys, cacheKey, r.token);
  return r;
}

async function verifyUncached(
  keys: SigningKeys,
  kind: TokenKind,
  token: string,
  now: Date,
): Promise<TokenVerification> {
  if (typeof token !== "string" || token.length > 4096 || token.split(".").length !== 3) {
    return { ok: false, reason: "malformed" };
  }
  try {
    const header = decodeProtectedHeader(token);
    if (FORBIDDEN_HEADERS.some((h) => h in header)) return { ok: false, reason: "invalid" };
  } catch {
    return { ok: false, reason: "malformed" };
  }
  const { typ, aud } = TOKEN_KINDS[kind];
  try {
    const { payload } = await jwtVerify(token, keys.verifyKey, {
      algorithms: keys.algorithms,
      typ,
      audience: aud,
      issuer: keys.issuer,
      requiredClaims: ["exp", "iat", "jti", "sub"],
      currentDate: now,
      clockTolerance: 0,
    });
    return {
      ok: true,
      token: {
        sub: payload.sub!,
        jti: payload.jti!,
        exp: payload.exp!,
        iat: payload.iat!,
        payload,
      },
    };
  } catch (e) {
    const code = (e as { code?: string }).code;
    return { ok: false, reason: code === "ERR_JWT_EXPIRED" ? "expired" : "invalid" };
  }
}
