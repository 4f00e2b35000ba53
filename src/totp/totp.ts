/**
 * @module TOTP (RFC 6238) on top of otpauth: secrets, codes, the replay rule, otpauth URIs and
 * QR codes. Pure: the time is passed in, nothing is stored here.
 */
import { Secret, TOTP } from "otpauth";

export type TotpAlgorithm = "SHA1" | "SHA256" | "SHA512";

export type TotpParams = {
  algorithm: TotpAlgorithm;
  digits: number;
  period: number;
  /** Steps of skew accepted either side of the current one. */
  window: number;
};

export const DEFAULT_TOTP_PARAMS: TotpParams = {
  algorithm: "SHA1",
  digits: 6,
  period: 30,
  window: 1,
};

/** A new 160-bit secret from the CSPRNG (RFC 4226 R6), as base32. */
export function generateTotpSecret(): string {
  return new Secret({ size: 20 }).base32;
}

/** Removes the spaces people type or paste into codes ("123 456"). */
export function normalizeCode(code: string): string {
  return code.replace(/[\s-]/g, "");
}

/** The time step a moment falls in. */
export function timeStep(now: Date, period: number): number {
  return Math.floor(now.getTime() / 1000 / period);
}

export type TotpVerification =
  | { ok: true; step: number; offset: number }
  | { ok: false; reason: "malformed" | "invalid" | "replayed" };

/**
 * Checks a typed code against a secret at `now`, within the window. A code is accepted only
 * for a step newer than `lastStep`, so a code once accepted is never accepted again
 * (RFC 6238 5.2); the caller stores `step` with a conditional update that enforces the same.
 */
export function verifyTotp(input: {
  secret: string;
  code: string;
  now: Date;
  params: TotpParams;
  lastStep: number | null;
}): TotpVerification {
  const code = normalizeCode(input.code);
  if (!/^\d+$/.test(code) || code.length !== input.params.digits) {
    return { ok: false, reason: "malformed" };
  }
  const offset = TOTP.validate({
    token: code,
    secret: Secret.fromBase32(input.secret),
    algorithm: input.params.algorithm,
    digits: input.params.digits,
    period: input.params.period,
    timestamp: input.now.getTime(),
    window: input.params.window,
  });
  if (offset === null) return { ok: false, reason: "invalid" };
  const step = timeStep(input.now, input.params.period) + offset;
  if (input.lastStep !== null && step <= input.lastStep) return { ok: false, reason: "replayed" };
  return { ok: true, step, offset };
}

/** The code an authenticator shows at `now` (tests and the emergency CLI use it). */
export function totpCodeAt(
  secret: string,
  now: Date,
  params: TotpParams = DEFAULT_TOTP_PARAMS,
): string {
  return TOTP.generate({
    secret: Secret.fromBase32(secret),
    algorithm: params.algorithm,
    digits: params.digits,
    period: params.period,
    timestamp: now.getTime(),
  });
}

/** The otpauth:// URI that authenticator apps import. */
export function otpauthUri(input: {
  issuer: string;
  account: string;
  secret: string;
  params: TotpParams;
}): string {
  return new TOTP({
    issuer: input.issuer,
    label: input.account,
    secret: Secret.fromBase32(input.secret),
    algorithm: input.params.algorithm,
    digits: input.params.digits,
    period: input.params.period,
  }).toString();
}

/**
 * The URI as an inline SVG QR code, scaled by its viewBox. Inline `style` attributes become
 * presentation attributes so that a strict Content-Security-Policy allows the image.
 */
export async function qrSvg(uri: string): Promise<string> {
  // Loaded on the first enrollment, not at start: 2 MB of heap that most requests never use.
  const { default: QRCode } = await import("qrcode-svg");
  const svg = new QRCode({
    content: uri,
    ecl: "M",
    padding: 4,
    join: true,
    pretty: false,
    container: "svg-viewbox",
    xmlDeclaration: false,
  }).svg();
  return svg
    .replace(
      / style="fill:(#[0-9a-f]{6});shape-rendering:crispEdges;"/g,
      ' fill="$1" shape-rendering="crispEdges"',
    )
    .replace("<svg ", '<svg role="img" aria-label="QR code for your authenticator app" ');
}

/** The secret in groups of four for typing by hand: "ABCD EFGH ...". */
export function groupSecret(secret: string): string {
  return secret.match(/.{1,4}/g)?.join(" ") ?? secret;
}
