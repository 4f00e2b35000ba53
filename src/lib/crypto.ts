/**
 * @module Secrets at rest and comparisons: AES-GCM for TOTP secrets, HMAC for values looked up
 * by hash (recovery codes, CSRF tokens), random identifiers, constant-time comparison.
 * node:crypto's synchronous calls (Deno and Workers both have them) and WebCrypto's random values.
 */
import { createCipheriv, createDecipheriv, createHash, createHmac, hkdfSync } from "node:crypto";
import { fromBase64Url, toBase64Url, utf8 } from "./encoding.ts";

/** Random bytes from the platform CSPRNG. */
export function randomBytes(length: number): Uint8Array {
  return crypto.getRandomValues(new Uint8Array(length));
}

/** An unguessable identifier: 128 bits, base64url (ASVS 7.2.3). */
export function randomId(bytes = 16): string {
  return toBase64Url(randomBytes(bytes));
}

/** base64url's 64 characters in ASCII order, so that strings of them sort as their values do. */
const SORTED_DIGITS = "-0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ_abcdefghijklmnopqrstuvwxyz";

/**
 * An unguessable identifier (`randomId`'s 128 random bits) behind its creation time: the
 * milliseconds since 1970 as 8 characters that sort as the time does (48 bits, until the year
 * 10889). For the rows every login inserts (sessions, audit events, refresh tokens, pending
 * logins): their primary-key indexes then grow at one end, so that the inserts of one commit
 * share index pages instead of each dirtying a page of its own at a random place (which the
 * commit writes to the WAL and the checkpoint copies again). The time it shows is the row's
 * own `created_at`, which the row holds anyway.
 */
export function timeOrderedId(now: Date | number): string {
  return timePrefix(now) + randomId();
}

/**
 * `timeOrderedId`'s first 8 characters: the milliseconds since 1970 in base64url digits that
 * sort as the time does. For keys that should grow at one end of their index (see there).
 */
export function timePrefix(now: Date | number): string {
  let t = Math.max(0, Math.floor(typeof now === "number" ? now : now.getTime()));
  let prefix = "";
  for (let i = 0; i < 8; i++) {
    prefix = SORTED_DIGITS[t % 64] + prefix;
    t = Math.floor(t / 64);
  }
  return prefix;
}

/** Compares two strings without an early exit, so timing does not reveal the common prefix. */
export function timingSafeEqual(a: string, b: string): boolean {
  const x = utf8.encode(a);
  const y = utf8.encode(b);
  let diff = x.length ^ y.length;
  const n = Math.max(x.length, y.length);
  for (let i = 0; i < n; i++) diff |= (x[i] ?? 0) ^ (y[i] ?? 0);
  return diff === 0;
}

/**
 * The keys derived from the one configured encryption key, as raw bytes for node:crypto (Deno
 * and Workers both have it): its hashes, HMACs and ciphers run at once on the calling thread,
 * where WebCrypto's hand each call to a thread pool and back (bench/RESULTS.md, eleventh
 * session: 2 to 9 times the CPU of the computation itself for these short inputs).
 */
export type SecretKeys = {
  /** AES-256-GCM key for TOTP secrets. */
  encryption: Uint8Array;
  /** HMAC-SHA256 key for recovery codes. */
  recoveryHmac: Uint8Array;
  /** HMAC-SHA256 key for CSRF tokens. */
  csrfHmac: Uint8Array;
  /** HMAC-SHA256 key (HS256) for pending-login tokens, which only twofold reads. */
  pendingToken: CryptoKey;
};

/**
 * Derives purpose-bound keys from the 32-byte master key with HKDF-SHA256. The recovery-code
 * HMAC key may come from its own master (RECOVERY_CODE_KEY): stored codes are keyed hashes
 * that cannot be recomputed, so that key has to outlive a rotation of the encryption key.
 * Each key is the first 256 bits of HKDF's output for its purpose: the same bytes as the
 * WebCrypto keys that `deriveKey` made before (crypto_test.ts), so stored values stay valid.
 */
export async function deriveSecretKeys(
  masterKey: Uint8Array,
  recoveryMasterKey: Uint8Array = masterKey,
): Promise<SecretKeys> {
  if (masterKey.length !== 32 || recoveryMasterKey.length !== 32) {
    throw new Error("the encryption key must be 32 bytes");
  }
  const derive = (info: string, from = masterKey) =>
    new Uint8Array(hkdfSync("sha256", from, new Uint8Array(0), info, 32));
  return {
    encryption: derive("twofold totp-secret v1"),
    recoveryHmac: derive("twofold recovery-code v1", recoveryMasterKey),
    csrfHmac: derive("twofold csrf v1"),
    pendingToken: await crypto.subtle.importKey(
      "raw",
      derive("twofold pending-token v1") as BufferSource,
      { name: "HMAC", hash: "SHA-256" },
      false,
      ["sign", "verify"],
    ),
  };
}

/** Encrypts a secret with AES-GCM; the associated data binds the ciphertext to its owner. */
export function encryptSecret(key: Uint8Array, plaintext: string, aad: string): string {
  const iv = randomBytes(12);
  const cipher = createCipheriv("aes-256-gcm", key, iv);
  cipher.setAAD(utf8.encode(aad));
  const body = cipher.update(utf8.encode(plaintext));
  const last = cipher.final();
  const tag = cipher.getAuthTag();
  // WebCrypto's layout, which stored secrets have: the ciphertext, then the 16-byte tag
  const ct = new Uint8Array(body.length + last.length + tag.length);
  ct.set(body, 0);
  ct.set(last, body.length);
  ct.set(tag, body.length + last.length);
  return `v1.${toBase64Url(iv)}.${toBase64Url(ct)}`;
}

/** Decrypts what `encryptSecret` made; throws if the ciphertext or its owner was changed. */
export function decryptSecret(key: Uint8Array, stored: string, aad: string): string {
  const [version, iv, ct] = stored.split(".");
  if (version !== "v1" || !iv || !ct) throw new Error("unknown secret format");
  const bytes = fromBase64Url(ct);
  if (bytes.length < 16) throw new Error("unknown secret format");
  const decipher = createDecipheriv("aes-256-gcm", key, fromBase64Url(iv));
  decipher.setAAD(utf8.encode(aad));
  decipher.setAuthTag(bytes.subarray(bytes.length - 16));
  const body = decipher.update(bytes.subarray(0, bytes.length - 16));
  const last = decipher.final();
  return utf8Decoder.decode(last.length ? concat(body, last) : body);
}

const utf8Decoder = new TextDecoder();

function concat(a: Uint8Array, b: Uint8Array): Uint8Array {
  const out = new Uint8Array(a.length + b.length);
  out.set(a, 0);
  out.set(b, a.length);
  return out;
}

/** HMAC-SHA256 as hex. */
export function hmacHex(key: Uint8Array, message: string): string {
  return createHmac("sha256", key).update(message).digest("hex");
}

/** SHA-256 as hex: how tokens that are looked up are stored (refresh, reset, API keys...). */
export function sha256Hex(text: string): string {
  return createHash("sha256").update(text).digest("hex");
}
