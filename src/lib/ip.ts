/**
 * @module IP addresses and CIDR ranges, without dependencies: parse IPv4 and IPv6 (including
 * IPv4-mapped IPv6), test membership in CIDR lists, and key rate limits by address (IPv6 by /64,
 * since one host usually holds a whole /64).
 */

/** An address as 16 bytes (IPv4 as IPv4-mapped IPv6) and its family. */
export type ParsedIp = { bytes: Uint8Array; v4: boolean };

function parseV4(s: string): Uint8Array | null {
  const parts = s.split(".");
  if (parts.length !== 4) return null;
  const out = new Uint8Array(4);
  for (let i = 0; i < 4; i++) {
    if (!/^\d{1,3}$/.test(parts[i])) return null;
    const n = Number(parts[i]);
    if (n > 255) return null;
    out[i] = n;
  }
  return out;
}

function parseV6(s: string): Uint8Array | null {
  if (s.includes("%")) s = s.slice(0, s.indexOf("%")); // zone id
  let tail: Uint8Array | null = null;
  const lastColon = s.lastIndexOf(":");
  if (s.slice(lastColon + 1).includes(".")) {
    tail = parseV4(s.slice(lastColon + 1));
    if (!tail) return null;
    s = s.slice(0, lastColon + 1) + "0:0";
  }
  const halves = s.split("::");
  if (halves.length > 2) return null;
  const parse = (h: string) => (h === "" ? [] : h.split(":"));
  const head = parse(halves[0]);
  const rest = halves.length === 2 ? parse(halves[1]) : [];
  const missing = 8 - head.length - rest.length;
  if (halves.length === 1 ? head.length !== 8 : missing < 1) return null;
  const groups = [...head, ...Array(halves.length === 2 ? missing : 0).fill("0"), ...rest];
  const out = new Uint8Array(16);
  for (let i = 0; i < 8; i++) {
    if (!/^[0-9a-fA-F]{1,4}$/.test(groups[i])) return null;
    const n = parseInt(groups[i], 16);
    out[i * 2] = n >> 8;
    out[i * 2 + 1] = n & 255;
  }
  if (tail) out.set(tail, 12);
  return out;
}

export function parseIp(text: string): ParsedIp | null {
  const s = text.trim().replace(/^\[|\]$/g, "");
  const v4 = parseV4(s);
  if (v4) {
    const bytes = new Uint8Array(16);
    bytes[10] = 0xff;
    bytes[11] = 0xff;
    bytes.set(v4, 12);
    return { bytes, v4: true };
  }
  const v6 = parseV6(s);
  if (!v6) return null;
  const mapped = v6.slice(0, 10).every((b) => b === 0) && v6[10] === 0xff && v6[11] === 0xff;
  return { bytes: v6, v4: mapped };
}

export type Cidr = { bytes: Uint8Array; prefix: number };

/** Parses "10.0.0.0/8", "2001:db8::/32" or a single address (a full-length prefix). */
export function parseCidr(text: string): Cidr | null {
  const [addr, len, extra] = text.trim().split("/");
  if (extra !== undefined) return null;
  const ip = parseIp(addr);
  if (!ip) return null;
  const max = ip.v4 ? 32 : 128;
  const n = len === undefined ? max : /^\d{1,3}$/.test(len) ? Number(len) : NaN;
  if (!(n >= 0 && n <= max)) return null;
  return { bytes: ip.bytes, prefix: ip.v4 ? n + 96 : n };
}

export function cidrContains(cidr: Cidr, ip: ParsedIp): boolean {
  let bits = cidr.prefix;
  for (let i = 0; i < 16 && bits > 0; i++, bits -= 8) {
    const mask = bits >= 8 ? 0xff : (0xff << (8 - bits)) & 0xff;
    if ((cidr.bytes[i] & mask) !== (ip.bytes[i] & mask)) return false;
  }
  return true;
}

/** Whether an address text falls in any of the CIDR texts (unparsable entries never match). */
export function inAnyCidr(ipText: string | null, cidrs: readonly string[]): boolean {
  if (!ipText) return false;
  const ip = parseIp(ipText);
  if (!ip) return false;
  return cidrs.some((c) => {
    const parsed = parseCidr(c);
    return parsed !== null && cidrContains(parsed, ip);
  });
}

/** The key a rate limit counts under: the IPv4 address, or the IPv6 /64. */
export function rateLimitKey(ipText: string | null): string {
  if (!ipText) return "unknown";
  const ip = parseIp(ipText);
  if (!ip) return "unknown";
  if (ip.v4) return Array.from(ip.bytes.slice(12)).join(".");
  const hex = Array.from(ip.bytes.slice(0, 8), (b) => b.toString(16).padStart(2, "0")).join("");
  return `${hex.match(/.{4}/g)!.join(":")}::/64`;
}
