/**
 * @module The three token kinds (pending, session, trusted device), made and checked by jose.
 * Session and device tokens are signed with EdDSA (Ed25519; new keys) or ES256 (keys made before,
 * still accepted), whose public keys are published. Pending tokens, which only twofold reads
 * (between the steps of one login, minutes apart), are HS256 under a key derived from the
 * encryption key (`deriveSecretKeys`): an HMAC costs a tenth of an Ed25519 verification, which a
 * step pays whenever another process or isolate issued its token (PROCESSES, Workers, a restart).
 *
 * Each kind has its own `typ` and `aud`, and verification pins the algorithm, the type and the
 * audience, so a token of one kind is refused wherever another is expected (RFC 8725 3.11-3.12).
 * Keys come only from our own key set, never from the token header (`jwk`, `jku`, `x5u`).
 */
import {
  CompactSign,
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
import { utf8 } from "../lib/encoding.ts";

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

/**
 * How far a token's `iat` or `nbf` may lie ahead of our clock, in seconds: several instances
 * (or a Worker and its neighbours) never agree to the second. `exp` gets no such allowance.
 */
export const TOKEN_CLOCK_SKEW_SECONDS = 60;

/** The longest lifetime (`exp` - `iat`, seconds) each kind is issued with; longer ones are refused. */
export type TokenLifetimes = Record<TokenKind, number>;

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
  /**
   * The newest RSA key of the set, if any: it signs only the OpenID Connect tokens of clients
   * that ask for RS256 (many apps accept nothing else), never twofold's own tokens.
   */
  rsa?: { kid: string; privateKey: CryptoKey };
  /** Tokens living longer than their kind's maximum are never issued and never accepted. */
  maxLifetime: TokenLifetimes;
  /** The HMAC-SHA256 key of pending tokens (HS256, the only algorithm they are accepted with). */
  pending: CryptoKey;
};

/** Pending tokens' algorithm: a MAC, as only twofold makes and reads them. */
const PENDING_ALG = "HS256";

/** A new Ed25519 private key as a JWK with a `kid`. */
export async function generateSigningJwk(): Promise<JWK> {
  const { privateKey } = await generateKeyPair(TOKEN_ALG, { crv: "Ed25519", extractable: true });
  const jwk = await exportJWK(privateKey);
  return { ...jwk, kid: randomId(8), alg: TOKEN_ALG, use: "sig" };
}

/** A new RSA (2048-bit, RS256) private key as a JWK with a `kid`, for OpenID Connect clients. */
export async function generateRsaSigningJwk(): Promise<JWK> {
  const { privateKey } = await generateKeyPair("RS256", { modulusLength: 2048, extractable: true });
  const jwk = await exportJWK(privateKey);
  return { ...jwk, kid: randomId(8), alg: "RS256", use: "sig" };
}

export const isRsaJwk = (jwk: JWK | undefined): boolean => jwk?.kty === "RSA";

const RSA_PRIVATE_MEMBERS = ["d", "p", "q", "dp", "dq", "qi"] as const;

/** Loads the newest RSA key of the set (RS256 for OpenID Connect), proving it signs and verifies. */
async function loadRsaKey(
  rsaJwks: JWK[],
): Promise<{ kid: string; privateKey: CryptoKey; publicJwks: JWK[] } | undefined> {
  if (rsaJwks.length === 0) return undefined;
  const publicJwks = rsaJwks.map((jwk) => {
    if (typeof jwk.kid !== "string" || !jwk.kid || typeof jwk.d !== "string") {
      throw new Error("an RSA signing key must be a private JWK with a kid");
    }
    return { kty: "RSA", n: jwk.n, e: jwk.e, kid: jwk.kid, alg: "RS256", use: "sig" } as JWK;
  });
  const newest = rsaJwks[rsaJwks.length - 1];
  const privateJwk: JWK = { kty: "RSA", n: newest.n, e: newest.e, kid: newest.kid, alg: "RS256" };
  for (const m of RSA_PRIVATE_MEMBERS) if (newest[m] !== undefined) privateJwk[m] = newest[m];
  let privateKey: CryptoKey;
  try {
    privateKey = await importJWK(privateJwk, "RS256") as CryptoKey;
    const probe = await new SignJWT({}).setProtectedHeader({ alg: "RS256", kid: newest.kid })
      .sign(privateKey);
    await jwtVerify(probe, createLocalJWKSet({ keys: publicJwks }), { algorithms: ["RS256"] });
  } catch (e) {
    throw new Error(`RSA key "${newest.kid}": not a usable RS256 key (${(e as Error).message})`);
  }
  return { kid: newest.kid!, privateKey, publicJwks };
}

/**
 * The members of a JWK that take part in signing, in a fixed form. A key exported by WebCrypto
 * carries `key_ops: ["sign"]` and `ext`; kept on the public half, they make the verifying key
 * unusable (a public key cannot "sign"), so every token the key signs would be refused.
 */
function normalizedJwk(jwk: JWK, alg: TokenAlg, withPrivate: boolean): JWK {
  return {
    kty: jwk.kty,
    crv: jwk.crv,
    x: jwk.x,
    ...(jwk.y !== undefined ? { y: jwk.y } : {}),
    ...(withPrivate ? { d: jwk.d } : {}),
    kid: jwk.kid,
    alg,
    use: "sig",
  };
}

/**
 * Loads private JWKs (newest last): the newest signs, all verify. Each key must prove itself
 * with a sign-and-verify round trip through the published key set, so a key that cannot work
 * (a public part that does not match the private one, a malformed member) stops the start
 * instead of refusing every token later. Errors name the key by position and `kid`.
 */
export async function loadSigningKeys(
  privateJwks: JWK[],
  issuer: string,
  maxLifetime: TokenLifetimes,
  pendingKey: CryptoKey,
): Promise<SigningKeys> {
  // RSA keys sign only OpenID Connect tokens for RS256 clients; they are published, never used
  // for twofold's own tokens, and are not counted as the newest key.
  const rsa = await loadRsaKey(privateJwks.filter(isRsaJwk));
  privateJwks = privateJwks.filter((k) => !isRsaJwk(k));
  if (privateJwks.length === 0) throw new Error("no signing key");
  const label = (i: number) =>
    `key ${i + 1} of ${privateJwks.length}` +
    (typeof privateJwks[i]?.kid === "string" ? ` (kid "${privateJwks[i].kid}")` : "");
  const keys = privateJwks.map((jwk, i) => {
    if (!jwk || typeof jwk.kid !== "string" || !jwk.kid || typeof jwk.d !== "string") {
      throw new Error(`${label(i)}: a signing key must be a private JWK with a kid`);
    }
    let alg: TokenAlg;
    try {
      alg = algOf(jwk);
    } catch (e) {
      throw new Error(`${label(i)}: ${(e as Error).message}`);
    }
    const first = privateJwks.findIndex((other) => other?.kid === jwk.kid);
    if (first !== i) throw new Error(`${label(i)}: the same kid as key ${first + 1}`);
    return {
      alg,
      privateJwk: normalizedJwk(jwk, alg, true),
      publicJwk: normalizedJwk(jwk, alg, false),
    };
  });
  const publicKeys = keys.map((k) => k.publicJwk);
  const verifyKey = createLocalJWKSet({ keys: publicKeys });
  const privateKeys: CryptoKey[] = [];
  for (const [i, { alg, privateJwk }] of keys.entries()) {
    let privateKey: CryptoKey;
    try {
      privateKey = await importJWK(privateJwk, alg) as CryptoKey;
    } catch (e) {
      throw new Error(`${label(i)}: not a usable ${alg} private key (${(e as Error).message})`);
    }
    try {
      const probe = await new SignJWT({}).setProtectedHeader({ alg, kid: privateJwk.kid })
        .sign(privateKey);
      await jwtVerify(probe, verifyKey, { algorithms: [alg] });
    } catch {
      throw new Error(
        `${label(i)}: a token it signs does not verify (does its public part, x${
          alg === "ES256" ? "/y" : ""
        }, belong to its private part, d?)`,
      );
    }
    privateKeys.push(privateKey);
  }
  const newest = keys.length - 1;
  return {
    issuer,
    kid: keys[newest].privateJwk.kid!,
    alg: keys[newest].alg,
    algorithms: [...new Set(keys.map((k) => k.alg))],
    privateKey: privateKeys[newest],
    jwks: { keys: [...publicKeys, ...(rsa?.publicJwks ?? [])] },
    verifyKey,
    ...(rsa ? { rsa: { kid: rsa.kid, privateKey: rsa.privateKey } } : {}),
    maxLifetime,
    pending: pendingKey,
  };
}

export type TokenClaims = {
  sub: string;
  jti: string;
  expiresAt: Date;
  extra?: Record<string, string | number | boolean | string[]>;
};

export async function signToken(
  keys: SigningKeys,
  kind: TokenKind,
  claims: TokenClaims,
  now: Date,
): Promise<string> {
  const { typ, aud } = TOKEN_KINDS[kind];
  const iat = Math.floor(now.getTime() / 1000);
  const exp = Math.floor(claims.expiresAt.getTime() / 1000);
  if (exp - iat > keys.maxLifetime[kind]) {
    throw new Error(`a ${kind} token may live at most ${keys.maxLifetime[kind]} s`);
  }
  // What `new SignJWT({ ...extra }).setIssuer().setAudience().setSubject().setJti()
  // .setIssuedAt().setExpirationTime()` signs, byte for byte (tokens_test.ts compares them), with
  // its checks, without the structured clone of the claims it makes first (a sixth of a sign).
  if (typeof claims.sub !== "string" || typeof claims.jti !== "string") {
    throw new TypeError('"sub" and "jti" claims must be strings');
  }
  if (!Number.isFinite(iat) || !Number.isFinite(exp)) {
    throw new TypeError('"iat" and "exp" claims must be finite numbers');
  }
  const payload = {
    ...claims.extra,
    iss: keys.issuer,
    aud,
    sub: claims.sub,
    jti: claims.jti,
    iat,
    exp,
  };
  const json = JSON.stringify(payload);
  const token = kind === "pending"
    ? await new CompactSign(utf8.encode(json)).setProtectedHeader({ alg: PENDING_ALG, typ })
      .sign(keys.pending)
    : await new CompactSign(utf8.encode(json))
      .setProtectedHeader({ alg: keys.alg, typ, kid: keys.kid })
      .sign(keys.privateKey);
  if (kind === "pending") {
    // Verified once, by the next login step, most often in this same process: kept as that
    // verification would answer (its payload is the signed JSON, parsed), so the step skips
    // the signature check of a token this process has just made (~60 us of the TOTP step).
    remember(keys, kind, token, Object.freeze({ ok: true, token: verifiedOf(JSON.parse(json)) }));
  }
  return token;
}

function verifiedOf(payload: JWTPayload): VerifiedToken {
  return { sub: payload.sub!, jti: payload.jti!, exp: payload.exp!, iat: payload.iat!, payload };
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
 * The shape of every token twofold signs: a compact JWS whose header and payload are JSON
 * objects (base64url of `{"` is `eyJ`). Anything else is refused before jose parses it: its
 * refusal is an exception, which cost more than the rest of a refused request (route_cost.ts).
 */
const COMPACT_JWS = /^eyJ[\w-]*\.eyJ[\w-]*\.[\w-]+$/;

/**
 * Tokens whose signature and claims already verified, per key set: a verification costs up to
 * 0.7 ms of CPU (ES256), and a session token is checked on every request. Only successes are
 * kept; a hit still checks the expiry against `now`, and whether the session is alive is
 * always decided by its row, so the cache changes speed, never an answer. Bounded, oldest out.
 */
const verified = new WeakMap<SigningKeys, Map<TokenKind, Map<string, KeptVerification>>>();
const VERIFIED_CACHE_SIZE = 10_000;
/** Pending tokens are kept as they are signed (`signToken`), so fewer: they are used within minutes. */
const KEPT_PER_KIND: Partial<Record<TokenKind, number>> = { pending: 2_000 };

/** A kept success: one frozen answer, handed out again (no key or answer made per check). */
type KeptVerification = Readonly<{ ok: true; token: VerifiedToken }>;

function remember(keys: SigningKeys, kind: TokenKind, token: string, answer: KeptVerification) {
  let byKind = verified.get(keys);
  if (!byKind) verified.set(keys, byKind = new Map());
  let cache = byKind.get(kind);
  if (!cache) byKind.set(kind, cache = new Map());
  if (cache.size >= (KEPT_PER_KIND[kind] ?? VERIFIED_CACHE_SIZE)) {
    cache.delete(cache.keys().next().value!);
  }
  cache.set(token, answer);
}

/** Verifies a token of one kind; any other kind, algorithm, issuer or key is refused. */
export async function verifyToken(
  keys: SigningKeys,
  kind: TokenKind,
  token: string,
  now: Date,
): Promise<TokenVerification> {
  const hit = typeof token === "string" ? verified.get(keys)?.get(kind)?.get(token) : undefined;
  // A clock set back (or a token kept as it was signed, then checked at an earlier `now`) can put
  // `iat` beyond the skew: then the full verification decides, as it would without the cache.
  const seconds = Math.floor(now.getTime() / 1000);
  if (hit && hit.token.iat <= seconds + TOKEN_CLOCK_SKEW_SECONDS) {
    // Expired once now >= exp, as in verifyUncached. No other check can start failing before
    // then: `iat`/`nbf` within the skew only grow older, and exp - iat caps the token's age.
    if (seconds >= hit.token.exp) return { ok: false, reason: "expired" };
    return hit;
  }
  const r = await verifyUncached(keys, kind, token, now);
  if (r.ok) remember(keys, kind, token, Object.freeze({ ok: true, token: r.token }));
  return r;
}

async function verifyUncached(
  keys: SigningKeys,
  kind: TokenKind,
  token: string,
  now: Date,
): Promise<TokenVerification> {
  if (typeof token !== "string" || token.length > 4096 || !COMPACT_JWS.test(token)) {
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
    const options = {
      algorithms: kind === "pending" ? [PENDING_ALG] : keys.algorithms,
      typ,
      audience: aud,
      issuer: keys.issuer,
      requiredClaims: ["exp", "iat", "jti", "sub"],
      currentDate: now,
      // `iat` and `nbf` may lie up to the skew ahead of our clock, no further; `iat` must exist
      // and be no older than the kind's longest lifetime. `exp` is checked strictly below.
      clockTolerance: TOKEN_CLOCK_SKEW_SECONDS,
      maxTokenAge: keys.maxLifetime[kind],
    };
    const { payload } = kind === "pending"
      ? await jwtVerify(token, keys.pending, options)
      : await jwtVerify(token, keys.verifyKey, options);
    // Same rule as the cache: expired once now >= exp, with no allowance for skew.
    if (Math.floor(now.getTime() / 1000) >= payload.exp!) return { ok: false, reason: "expired" };
    // A token signed with our key but living longer than we ever issue is not one of ours.
    if (payload.exp! - payload.iat! > keys.maxLifetime[kind]) {
      return { ok: false, reason: "invalid" };
    }
    return { ok: true, token: verifiedOf(payload) };
  } catch (e) {
    const code = (e as { code?: string }).code;
    return { ok: false, reason: code === "ERR_JWT_EXPIRED" ? "expired" : "invalid" };
  }
}
