/**
 * @module What other systems export, read into plain records: otpauth URIs (one per line, as
 * authenticator-app exports and `authelia storage user totp export --format uri` print them),
 * Authelia's CSV TOTP export (`--format csv`), and user lines (JSON, one per line) with password
 * hashes (bcrypt as other systems store them, or twofold's own from `export`).
 */
import { Secret, TOTP, URI } from "otpauth";

export type TotpRecord = {
  username: string;
  label: string;
  /** Base32, upper case, no padding. */
  secret: string;
  algorithm: "SHA1" | "SHA256" | "SHA512";
  digits: number;
  period: number;
};

export type ParseResult<T> = { records: T[]; errors: string[] };

const ALGORITHMS = new Set(["SHA1", "SHA256", "SHA512"]);

function checked(line: number, r: TotpRecord, errors: string[]): TotpRecord | null {
  if (!r.username) errors.push(`line ${line}: no username`);
  else if (!ALGORITHMS.has(r.algorithm)) errors.push(`line ${line}: algorithm ${r.algorithm}`);
  else if (![6, 7, 8].includes(r.digits)) errors.push(`line ${line}: ${r.digits} digits`);
  else if (r.period < 15 || r.period > 120) errors.push(`line ${line}: period ${r.period}`);
  else if (!/^[A-Z2-7]{16,}$/.test(r.secret)) errors.push(`line ${line}: the secret is not base32`);
  else return r;
  return null;
}

/** otpauth://totp/Issuer:username?secret=...; the account name is the username. */
export function parseOtpauthUris(text: string): ParseResult<TotpRecord> {
  const records: TotpRecord[] = [];
  const errors: string[] = [];
  text.split(/\r?\n/).forEach((raw, i) => {
    const line = raw.trim();
    if (!line || line.startsWith("#")) return;
    let otp;
    try {
      otp = URI.parse(line);
    } catch (e) {
      errors.push(`line ${i + 1}: not an otpauth URI (${(e as Error).message})`);
      return;
    }
    if (!(otp instanceof TOTP)) {
      errors.push(`line ${i + 1}: not a TOTP (time-based) URI`);
      return;
    }
    const r = checked(i + 1, {
      username: otp.label,
      label: otp.issuer ? `${otp.issuer} (imported)` : "Imported",
      secret: otp.secret.base32.replace(/=+$/, ""),
      algorithm: otp.algorithm as TotpRecord["algorithm"],
      digits: otp.digits,
      period: otp.period,
    }, errors);
    if (r) records.push(r);
  });
  return { records, errors };
}

/** Authelia's CSV: issuer,username,algorithm,digits,period,secret (a header line first). */
export function parseAutheliaCsv(text: string): ParseResult<TotpRecord> {
  const records: TotpRecord[] = [];
  const errors: string[] = [];
  text.split(/\r?\n/).forEach((raw, i) => {
    const line = raw.trim();
    if (!line || /^issuer,username,/i.test(line)) return;
    const cells = line.split(",").map((c) => c.trim());
    if (cells.length !== 6) {
      errors.push(`line ${i + 1}: expected issuer,username,algorithm,digits,period,secret`);
      return;
    }
    const [issuer, username, algorithm, digits, period, secret] = cells;
    let base32: string;
    try {
      base32 = Secret.fromBase32(secret).base32.replace(/=+$/, "");
    } catch {
      errors.push(`line ${i + 1}: the secret is not base32`);
      return;
    }
    const r = checked(i + 1, {
      username,
      label: issuer ? `${issuer} (imported)` : "Imported",
      secret: base32,
      algorithm: algorithm.toUpperCase().replace("-", "") as TotpRecord["algorithm"],
      digits: Number(digits),
      period: Number(period),
    }, errors);
    if (r) records.push(r);
  });
  return { records, errors };
}

/** One user of a `users:import` file (also what `export` writes). */
export type UserRecord = {
  id?: string;
  username: string;
  password_hash: string;
  roles?: string[];
  groups?: string[];
  email?: string | null;
  disabled?: boolean;
  /** A service account (no password; reached through API keys). */
  service?: boolean;
  /** From `export`: authenticators with their secrets still encrypted (same ENCRYPTION_KEY). */
  authenticators?: {
    label: string;
    secret_enc: string;
    algorithm: string;
    digits: number;
    period: number;
  }[];
};

const OWN_HASH = /^pbkdf2-sha256\$/;
const BCRYPT = /^\$2[aby]\$(0[4-9]|[12][0-9]|3[01])\$[./A-Za-z0-9]{53}$/;

export function parseUserLines(text: string): ParseResult<UserRecord> {
  const records: UserRecord[] = [];
  const errors: string[] = [];
  text.split(/\r?\n/).forEach((raw, i) => {
    const line = raw.trim();
    if (!line) return;
    let r: UserRecord;
    try {
      r = JSON.parse(line);
    } catch {
      errors.push(`line ${i + 1}: not JSON`);
      return;
    }
    if (!r || typeof r.username !== "string" || !r.username) {
      errors.push(`line ${i + 1}: no username`);
    } else if (
      typeof r.password_hash !== "string" ||
      !(BCRYPT.test(r.password_hash) || OWN_HASH.test(r.password_hash) ||
        (r.service === true && r.password_hash === "!service-account"))
    ) {
      errors.push(`line ${i + 1} (${r.username}): password_hash is neither bcrypt nor twofold's`);
    } else records.push(r);
  });
  return { records, errors };
}
