import { Secret } from "otpauth";
import { assert, assertEquals, assertMatch } from "../../tests/assert.ts";
import {
  DEFAULT_TOTP_PARAMS,
  generateTotpSecret,
  groupSecret,
  otpauthUri,
  qrSvg,
  timeStep,
  totpCodeAt,
  type TotpParams,
  verifyTotp,
} from "./totp.ts";

const now = new Date("2026-11-22T12:00:10Z");
const secret = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP";

Deno.test("generateTotpSecret() makes 160-bit base32 secrets that differ", () => {
  const a = generateTotpSecret();
  assertEquals(a.length, 32); // 160 bits / 5 bits per base32 character
  assertMatch(a, /^[A-Z2-7]{32}$/);
  assert(a !== generateTotpSecret());
});

Deno.test("verifyTotp() accepts the current code and reports its step", () => {
  const code = totpCodeAt(secret, now);
  const r = verifyTotp({ secret, code, now, params: DEFAULT_TOTP_PARAMS, lastStep: null });
  assertEquals(r, { ok: true, step: timeStep(now, 30), offset: 0 });
});

Deno.test("verifyTotp() ignores spaces in typed codes", () => {
  const code = totpCodeAt(secret, now);
  const spaced = `${code.slice(0, 3)} ${code.slice(3)} `;
  assert(verifyTotp({ secret, code: spaced, now, params: DEFAULT_TOTP_PARAMS, lastStep: null }).ok);
});

Deno.test("verifyTotp() accepts one step of skew either side and refuses two", () => {
  const p = DEFAULT_TOTP_PARAMS;
  for (const [shift, expected] of [[-30, -1], [30, 1]] as const) {
    const code = totpCodeAt(secret, new Date(now.getTime() + shift * 1000));
    const r = verifyTotp({ secret, code, now, params: p, lastStep: null });
    assertEquals(r.ok && r.offset, expected);
  }
  for (const shift of [-60, 60]) {
    const code = totpCodeAt(secret, new Date(now.getTime() + shift * 1000));
    assertEquals(verifyTotp({ secret, code, now, params: p, lastStep: null }), {
      ok: false,
      reason: "invalid",
    });
  }
});

Deno.test("verifyTotp() rejects a reused step and any older one", () => {
  const code = totpCodeAt(secret, now);
  const step = timeStep(now, 30);
  const p = DEFAULT_TOTP_PARAMS;
  assertEquals(verifyTotp({ secret, code, now, params: p, lastStep: step }), {
    ok: false,
    reason: "replayed",
  });
  const previous = totpCodeAt(secret, new Date(now.getTime() - 30_000));
  assertEquals(
    verifyTotp({ secret, code: previous, now, params: p, lastStep: step })
      .ok,
    false,
  );
  assert(verifyTotp({ secret, code, now, params: p, lastStep: step - 1 }).ok);
});

Deno.test("verifyTotp() refuses malformed codes without computing", () => {
  for (const code of ["", "12345", "1234567", "abcdef", "12345x"]) {
    assertEquals(
      verifyTotp({ secret, code, now, params: DEFAULT_TOTP_PARAMS, lastStep: null }),
      { ok: false, reason: "malformed" },
    );
  }
});

Deno.test("verifyTotp() honours SHA256, SHA512, 8 and 10 digits and a 60 s period", () => {
  const variants: TotpParams[] = [
    { algorithm: "SHA256", digits: 8, period: 30, window: 1 },
    { algorithm: "SHA512", digits: 10, period: 60, window: 1 },
  ];
  for (const params of variants) {
    const code = totpCodeAt(secret, now, params);
    assertEquals(code.length, params.digits);
    const r = verifyTotp({ secret, code, now, params, lastStep: null });
    assertEquals(r, { ok: true, step: timeStep(now, params.period), offset: 0 });
    assertEquals(
      verifyTotp({ secret, code: totpCodeAt(secret, now), now, params, lastStep: null }).ok,
      false,
    );
  }
});

Deno.test("totpCodeAt() matches the RFC 6238 test vectors", () => {
  // RFC 6238 Appendix B, SHA1 seed "12345678901234567890", 8 digits.
  const rfcSecret = "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ";
  const params: TotpParams = { algorithm: "SHA1", digits: 8, period: 30, window: 1 };
  assertEquals(totpCodeAt(rfcSecret, new Date(59_000), params), "94287082");
  assertEquals(totpCodeAt(rfcSecret, new Date(1111111109_000), params), "07081804");
  assertEquals(totpCodeAt(rfcSecret, new Date(2000000000_000), params), "69279037");
});

Deno.test("totpCodeAt() matches the RFC 6238 vectors for SHA256 and SHA512 too", () => {
  // RFC 6238 Appendix B: the seed repeated to 32 bytes (SHA256) and 64 bytes (SHA512).
  const seed = (n: number) =>
    new Secret({ buffer: new TextEncoder().encode("1234567890".repeat(7).slice(0, n)).buffer })
      .base32;
  const vectors: [TotpParams["algorithm"], number, number, string][] = [
    ["SHA256", 32, 59, "46119246"],
    ["SHA256", 32, 1111111109, "68084774"],
    ["SHA256", 32, 20000000000, "77737706"],
    ["SHA512", 64, 59, "90693936"],
    ["SHA512", 64, 1111111109, "25091201"],
    ["SHA512", 64, 20000000000, "47863826"],
  ];
  for (const [algorithm, bytes, seconds, code] of vectors) {
    const params: TotpParams = { algorithm, digits: 8, period: 30, window: 1 };
    assertEquals(totpCodeAt(seed(bytes), new Date(seconds * 1000), params), code, algorithm);
  }
});

Deno.test("otpauthUri() carries issuer, account and parameters", () => {
  const uri = otpauthUri({
    issuer: "twofold",
    account: "alice",
    secret,
    params: DEFAULT_TOTP_PARAMS,
  });
  assertMatch(uri, /^otpauth:\/\/totp\/twofold:alice\?/);
  const q = new URL(uri).searchParams;
  assertEquals(q.get("secret"), secret);
  assertEquals(q.get("issuer"), "twofold");
  assertEquals(q.get("algorithm"), "SHA1");
  assertEquals(q.get("digits"), "6");
  assertEquals(q.get("period"), "30");
});

Deno.test("qrSvg() makes an inline SVG and groupSecret() splits by four", async () => {
  const svg = await qrSvg("otpauth://totp/x?secret=ABC");
  assertMatch(svg, /^<svg[^>]*viewBox/);
  assert(!svg.includes("style="), "inline styles would be blocked by the CSP");
  assertEquals(groupSecret("ABCDEFGHIJ"), "ABCD EFGH IJ");
});
