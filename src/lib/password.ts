/**
 * @module Password hashing: PBKDF2-HMAC-SHA256 through WebCrypto, in a self-describing format
 * `pbkdf2-sha256$<iterations>$<salt>$<hash>`.
 *
 * Production Cloudflare Workers refuse more than 100,000 iterations in one `deriveBits` call
 * (local workerd does not enforce it), so the total is reached by chaining rounds of at most
 * 100,000: each round's output is the next round's password. The chain is as costly for an
 * attacker as one long PBKDF2 run, since each round needs the previous one's result.
 */
import { fromBase64Url, toBase64Url, utf8 } from "./encoding.ts";
import { randomBytes, timingSafeEqual } from "./crypto.ts";

export const MAX_ITERATIONS_PER_CALL = 100_000;
const HASH_BYTES = 32;
const PREFIX = "pbkdf2-sha256";

/** One PBKDF2 call; replaceable in tests to observe the per-call bound. */
export type Pbkdf2 = (
  password: Uint8Array,
  salt: Uint8Array,
  iterations: number,
) => Promise<Uint8Array>;

export const webCryptoPbkdf2: Pbkdf2 = async (password, salt, iterations) => {
  const key = await crypto.subtle.importKey(
    "raw",
    password as BufferSource,
    "PBKDF2",
    false,
    ["deriveBits"],
  );
  const bits = await crypto.subtle.deriveBits(
    { name: "PBKDF2", hash: "SHA-256", salt: salt as BufferSource, iterations },
    key,
    HASH_BYTES * 8,
  );
  return new Uint8Array(bits);
};

/** Runs `iterations` PBKDF2 iterations as a chain of calls of at most 100,000 each. */
export async function pbkdf2Chain(
  password: string,
  salt: Uint8Array,
  iterations: number,
  pbkdf2: Pbkdf2 = webCryptoPbkdf2,
): Promise<Uint8Array> {
  let input: Uint8Array = utf8.encode(password.normalize("NFKC"));
  let remaining = iterations;
  while (remaining > 0) {
    const round = Math.min(remaining, MAX_ITERATIONS_PER_CALL);
    input = await pbkdf2(input, salt, round);
    remaining -= round;
  }
  return input;
}

export async function hashPassword(
  password: string,
  iterations: number,
  pbkdf2?: Pbkdf2,
): Promise<string> {
  const salt = randomBytes(16);
  const hash = await pbkdf2Chain(password, salt, iterations, pbkdf2);
  return `${PREFIX}$${iterations}$${toBase64Url(salt)}$${toBase64Url(hash)}`;
}

/**
 * A stored-hash string at `iterations` that no password matches (random salt and digest), for
 * unknown users to be checked against at the same cost. Made without hashing, so that a new
 * process or Workers isolate does not spend a whole password hash before its first answer.
 */
export function unmatchableHash(iterations: number): string {
  const salt = toBase64Url(randomBytes(16));
  return `${PREFIX}$${iterations}$${salt}$${toBase64Url(randomBytes(HASH_BYTES))}`;
}

type ParsedHash = { iterations: number; salt: Uint8Array; hash: string };

function parseHash(stored: string): ParsedHash | null {
  const [prefix, iter, salt, hash] = stored.split("$");
  const iterations = Number(iter);
  if (prefix !== PREFIX || !Number.isSafeInteger(iterations) || iterations < 1 || !salt || !hash) {
    return null;
  }
  return { iterations, salt: fromBase64Url(salt), hash };
}

export type PasswordCheck = { ok: boolean; needsRehash: boolean };

/** A bcrypt hash as other systems store it ($2a$, $2b$ or $2y$, cost 4-31, 53 characters). */
export function isBcryptHash(stored: string): boolean {
  return /^\$2[aby]\$(0[4-9]|[12][0-9]|3[01])\$[./A-Za-z0-9]{53}$/.test(stored);
}

/**
 * Checks a password against a stored hash in constant time. `needsRehash` says the stored
 * parameters differ from the configured ones, so the caller stores a fresh hash on success.
 */
export async function verifyPassword(
  password: string,
  stored: string,
  configuredIterations: number,
  pbkdf2?: Pbkdf2,
): Promise<PasswordCheck> {
  if (isBcryptHash(stored)) {
    // Imported from another system (users:import): checked once with bcrypt, then the caller
    // stores our own hash of the same password. bcryptjs (2 MB of heap) is loaded only then.
    const { compare } = await import("bcryptjs");
    const ok = await compare(password, stored);
    return { ok, needsRehash: ok };
  }
  const parsed = parseHash(stored);
  if (!parsed) return { ok: false, needsRehash: false };
  const hash = await pbkdf2Chain(password, parsed.salt, parsed.iterations, pbkdf2);
  const ok = timingSafeEqual(toBase64Url(hash), parsed.hash);
  return { ok, needsRehash: ok && parsed.iterations !== configuredIterations };
}
