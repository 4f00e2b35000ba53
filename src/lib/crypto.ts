/**
 * @module Secrets at rest and comparisons: AES-GCM for TOTP secrets, HMAC for values looked up
 * by hash (recovery codes, CSRF tokens), random identifiers, constant-time comparison.
 * WebCrypto only, so it runs unchanged on Deno and Workers.
 */
import { fromBase64Url, toBase64Url, toHex, utf8 } from "./encoding.ts";

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
  let t = Math.max(0, Math.floor(typeof now === "number" ? now : now.getTime()));
  let prefix = "";
  for (let i = 0; i < 8; i++) {
    prefix = SORTED_DIGITS[t % 64] + prefix;
    t = Math.floor(t / 64);
  }
  return prefix + randomId();
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

/** The keys derived from the one configured encryption key. */
export type SecretKeys = {
  /** AES-256-GCM key for TOTP secrets. */
  encryption: CryptoKey;
  /** HMAC-SHA256 key for recovery codes. */
  recoveryHmac: CryptoKey;
  /** HMAC-SHA256 key for CSRF tokens. */
  csrfHmac: CryptoKey;
};

/**
 * Derives purpose-bound keys from the 32-byte master key with HKDF-SHA256. The recovery-code
 * HMAC key may come from its own master (RECOVERY_CODE_KEY): stored codes are keyed hashes
 * that cannot be recomputed, so that key has to outlive a rotation of the encryption key.
 */
export async function deriveSecretKeys(
  masterKey: Uint8Array,
  recoveryMasterKey: Uint8Array = masterKey,
): Promise<SecretKeys> {
  if (masterKey.length !== 32 || recoveryMasterKey.length !== 32) {
    throw new Error("the encryption key must be 32 bytes");
  }
  const importBase = (key: Uint8Array) =>
    crypto.subtle.importKey("raw", key as BufferSource, "HKDF", false, ["deriveKey"]);
  const base = await importBase(masterKey);
  const recoveryBase = await importBase(recoveryMasterKey);
  const derive = (
    info: string,
    algorithm: AesKeyGenParams | HmacImportParams,
    usages: KeyUsage[],
    from = base,
  ) =>
    crypto.subtle.deriveKey(
      { name: "HKDF", hash: "SHA-256", salt: new Uint8Array(0), info: utf8.encode(info) },
      from,
      algorithm,
      false,
      usages,
    );
  const hmac: HmacImportParams = { name: "HMAC", hash: "SHA-256", length: 256 };
  return {
    encryption: await derive("twofold totp-secret v1", { name: "AES-GCM", length: 256 }, [
      "encrypt",
      "decrypt",
    ]),
    recoveryHmac: await derive("twofold recovery-code v1", hmac, ["sign"], recoveryBase),
    csrfHmac: await derive("twofold csrf v1", hmac, ["sign"]),
  };
}

/** Encrypts a secret with AES-GCM; the associated data binds the ciphertext to its owner. */
export async function encryptSecret(
  key: CryptoKey,
  plaintext: string,
  aad: string,
): Promise<string> {
  const iv = randomBytes(12);
  const ct = await crypto.subtle.encrypt(
    { name: "AES-GCM", iv: iv as BufferSource, additionalData: utf8.encode(aad) },
    key,
    utf8.encode(plaintext),
  );
  return `v1.${toBase64Url(iv)}.${toBase64Url(new Uint8Array(ct))}`;
}

/** Decrypts what `encryptSecret` made; throws if the ciphertext or its owner was changed. */
export async function decryptSecret(key: CryptoKey, stored: string, aad: string): Promise<string> {
  const [version, iv, ct] = stored.split(".");
  if (version !== "v1" || !iv || !ct) throw new Error("unknown secret format");
  const pt = await crypto.subtle.decrypt(
    { name: "AES-GCM", iv: fromBase64Url(iv) as BufferSource, additionalData: utf8.encode(aad) },
    key,
    fromBase64Url(ct) as BufferSource,
  );
  return new TextDecoder().decode(pt);
}

/** HMAC-SHA256 as hex. */
export async function hmacHex(key: CryptoKey, message: string): Promise<string> {
  const sig = await crypto.subtle.sign("HMAC", key, utf8.encode(message));
  return toHex(new Uint8Array(sig));
}
