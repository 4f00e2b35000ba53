import {
  assert,
  assertEquals,
  assertMatch,
  assertNotEquals,
  assertThrows,
} from "../../tests/assert.ts";
import {
  decryptSecret,
  deriveSecretKeys,
  encryptSecret,
  hmacHex,
  randomId,
  sha256Hex,
  timeOrderedId,
} from "./crypto.ts";
import { fromBase64Url, toBase64Url, toHex, utf8 } from "./encoding.ts";

Deno.test("timeOrderedId(): its time prefix sorts as the time does, its random part is randomId's", () => {
  const times = [
    0,
    1,
    63,
    64,
    4095,
    Date.UTC(2026, 10, 28),
    Date.UTC(2026, 10, 28) + 1,
    2 ** 48 - 1,
  ];
  const ids = times.map((t) => timeOrderedId(t));
  for (const id of ids) assertMatch(id, /^[A-Za-z0-9_-]{30}$/);
  // SQLite compares TEXT keys byte by byte, as JavaScript compares these ASCII strings
  for (let i = 1; i < ids.length; i++) {
    assert(ids[i - 1] < ids[i], `${ids[i - 1]} sorts before ${ids[i]}`);
  }
  assertEquals(timeOrderedId(0).slice(0, 8), "--------");
  assertEquals(timeOrderedId(2 ** 48 - 1).slice(0, 8), "zzzzzzzz");
  assertEquals(timeOrderedId(new Date(64)).slice(0, 8), "------0-");
  // the same millisecond still gives different ids: 128 random bits follow
  const t = Date.UTC(2026, 10, 28);
  assertNotEquals(timeOrderedId(t), timeOrderedId(t));
  assertEquals(timeOrderedId(t).slice(8).length, randomId().length);
});

/** The keys as `deriveSecretKeys` made them before (WebCrypto's HKDF `deriveKey`). */
async function webCryptoKeys(master: Uint8Array) {
  const base = await crypto.subtle.importKey("raw", master as BufferSource, "HKDF", false, [
    "deriveKey",
  ]);
  const derive = (
    info: string,
    algorithm: AesKeyGenParams | HmacImportParams,
    usages: KeyUsage[],
  ) =>
    crypto.subtle.deriveKey(
      { name: "HKDF", hash: "SHA-256", salt: new Uint8Array(0), info: utf8.encode(info) },
      base,
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
    recoveryHmac: await derive("twofold recovery-code v1", hmac, ["sign"]),
    csrfHmac: await derive("twofold csrf v1", hmac, ["sign"]),
  };
}

Deno.test("deriveSecretKeys(): the same keys as WebCrypto's deriveKey made, so stored values stay valid", async () => {
  const master = crypto.getRandomValues(new Uint8Array(32));
  const ours = await deriveSecretKeys(master);
  const before = await webCryptoKeys(master);
  // a TOTP secret WebCrypto encrypted decrypts, and ours decrypts with WebCrypto
  const iv = crypto.getRandomValues(new Uint8Array(12));
  const aad = "totp:user-1";
  const stored = new Uint8Array(
    await crypto.subtle.encrypt(
      { name: "AES-GCM", iv: iv as BufferSource, additionalData: utf8.encode(aad) },
      before.encryption,
      utf8.encode("JBSWY3DPEHPK3PXP"),
    ),
  );
  assertEquals(
    decryptSecret(ours.encryption, `v1.${toBase64Url(iv)}.${toBase64Url(stored)}`, aad),
    "JBSWY3DPEHPK3PXP",
  );
  const [, ourIv, ourCt] = encryptSecret(ours.encryption, "ABCDEFGH234567", aad).split(".");
  const plain = await crypto.subtle.decrypt(
    { name: "AES-GCM", iv: fromBase64Url(ourIv) as BufferSource, additionalData: utf8.encode(aad) },
    before.encryption,
    fromBase64Url(ourCt) as BufferSource,
  );
  assertEquals(new TextDecoder().decode(plain), "ABCDEFGH234567");
  // recovery-code and CSRF MACs are the ones stored and handed out before
  for (const name of ["recoveryHmac", "csrfHmac"] as const) {
    const mac = await crypto.subtle.sign("HMAC", before[name], utf8.encode("user-1:ABCD-EFGH"));
    assertEquals(hmacHex(ours[name], "user-1:ABCD-EFGH"), toHex(new Uint8Array(mac)));
  }
  assertEquals(
    sha256Hex("tfr_abc"),
    toHex(new Uint8Array(await crypto.subtle.digest("SHA-256", utf8.encode("tfr_abc")))),
  );
});

Deno.test("decryptSecret() refuses a changed ciphertext, another owner and another key", async () => {
  const keys = await deriveSecretKeys(crypto.getRandomValues(new Uint8Array(32)));
  const other = await deriveSecretKeys(crypto.getRandomValues(new Uint8Array(32)));
  const stored = encryptSecret(keys.encryption, "JBSWY3DPEHPK3PXP", "totp:a");
  assertEquals(decryptSecret(keys.encryption, stored, "totp:a"), "JBSWY3DPEHPK3PXP");
  assertThrows(() => decryptSecret(keys.encryption, stored, "totp:b"));
  assertThrows(() => decryptSecret(other.encryption, stored, "totp:a"));
  const [v, iv, ct] = stored.split(".");
  const flipped = fromBase64Url(ct);
  flipped[0] ^= 1;
  assertThrows(() =>
    decryptSecret(keys.encryption, `${v}.${iv}.${toBase64Url(flipped)}`, "totp:a")
  );
  assertThrows(() =>
    decryptSecret(keys.encryption, `${v}.${iv}.${toBase64Url(new Uint8Array(8))}`, "totp:a")
  );
  assertThrows(() => decryptSecret(keys.encryption, "v2.x.y", "totp:a"));
});
