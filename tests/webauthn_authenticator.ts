/**
 * @module A software authenticator for tests: ES256 keys made with WebCrypto, "none"
 * attestation, and answers built exactly as WebAuthn Level 2 lays them out (client data JSON,
 * authenticator data, CBOR). A test fixture, like a TOTP code computed in a test; the product
 * code verifies with @simplewebauthn/server. The browser tests use Chromium's virtual
 * authenticator instead, and tests/fixtures/webauthn_chromium.json holds answers made by it.
 */
import { toBase64Url } from "../src/lib/encoding.ts";

// ---- a minimal CBOR encoder (unsigned and negative ints, bytes, text, maps) ----

function head(major: number, n: number): number[] {
  if (n < 24) return [(major << 5) | n];
  if (n < 256) return [(major << 5) | 24, n];
  if (n < 65536) return [(major << 5) | 25, n >> 8, n & 255];
  return [(major << 5) | 26, (n >>> 24) & 255, (n >> 16) & 255, (n >> 8) & 255, n & 255];
}

type Cbor = number | string | Uint8Array | Map<Cbor, Cbor>;

function cbor(value: Cbor): number[] {
  if (typeof value === "number") return value >= 0 ? head(0, value) : head(1, -1 - value);
  if (typeof value === "string") {
    const bytes = new TextEncoder().encode(value);
    return [...head(3, bytes.length), ...bytes];
  }
  if (value instanceof Uint8Array) return [...head(2, value.length), ...value];
  const out = head(5, value.size);
  for (const [k, v] of value) out.push(...cbor(k), ...cbor(v));
  return out;
}

const sha256 = async (data: Uint8Array) =>
  new Uint8Array(await crypto.subtle.digest("SHA-256", data as BufferSource));

/** An ECDSA signature from WebCrypto (r || s) in the DER form WebAuthn uses. */
function derSignature(raw: Uint8Array): Uint8Array {
  const int = (b: Uint8Array) => {
    let i = 0;
    while (i < b.length - 1 && b[i] === 0) i++;
    let v = b.slice(i);
    if (v[0] & 0x80) v = new Uint8Array([0, ...v]);
    return [0x02, v.length, ...v];
  };
  const body = [...int(raw.slice(0, 32)), ...int(raw.slice(32))];
  return new Uint8Array([0x30, body.length, ...body]);
}

export type SoftKey = {
  credentialId: Uint8Array;
  keys: CryptoKeyPair;
  userHandle: Uint8Array;
  counter: number;
};

export type Flags = { up?: boolean; uv?: boolean; be?: boolean; bs?: boolean };

function flagsByte(f: Flags, attested: boolean): number {
  return (f.up === false ? 0 : 0x01) | (f.uv ? 0x04 : 0) | (f.be ? 0x08 : 0) |
    (f.bs ? 0x10 : 0) | (attested ? 0x40 : 0);
}

function counterBytes(n: number) {
  return [(n >>> 24) & 255, (n >> 16) & 255, (n >> 8) & 255, n & 255];
}

function clientData(type: string, challenge: string, origin: string) {
  return new TextEncoder().encode(JSON.stringify({ type, challenge, origin, crossOrigin: false }));
}

/** Answers `navigator.credentials.create()` for these options, as `origin` would. */
export async function softCreate(
  // deno-lint-ignore no-explicit-any -- the options JSON as the server sent it
  options: any,
  origin: string,
  flags: Flags = { uv: true },
  rpId: string = options.rp.id,
): Promise<{ key: SoftKey; credential: Record<string, unknown> }> {
  const keys = await crypto.subtle.generateKey({ name: "ECDSA", namedCurve: "P-256" }, true, [
    "sign",
    "verify",
  ]);
  const jwk = await crypto.subtle.exportKey("jwk", keys.publicKey);
  const b = (s: string) =>
    Uint8Array.from(atob(s.replace(/-/g, "+").replace(/_/g, "/")), (c) => c.charCodeAt(0));
  const cose = new Uint8Array(cbor(
    new Map<Cbor, Cbor>([[1, 2], [3, -7], [-1, 1], [-2, b(jwk.x!)], [-3, b(jwk.y!)]]),
  ));
  const credentialId = crypto.getRandomValues(new Uint8Array(32));
  const authData = new Uint8Array([
    ...await sha256(new TextEncoder().encode(rpId)),
    flagsByte(flags, true),
    ...counterBytes(0),
    ...new Uint8Array(16), // AAGUID
    credentialId.length >> 8,
    credentialId.length & 255,
    ...credentialId,
    ...cose,
  ]);
  const attestationObject = new Uint8Array(cbor(
    new Map<Cbor, Cbor>([["fmt", "none"], ["attStmt", new Map()], ["authData", authData]]),
  ));
  const id = toBase64Url(credentialId);
  return {
    key: { credentialId, keys, userHandle: b(options.user.id), counter: 0 },
    credential: {
      id,
      rawId: id,
      type: "public-key",
      response: {
        clientDataJSON: toBase64Url(clientData("webauthn.create", options.challenge, origin)),
        attestationObject: toBase64Url(attestationObject),
        transports: ["usb"],
      },
      clientExtensionResults: { credProps: { rk: true } },
    },
  };
}

/** Answers `navigator.credentials.get()` with `key`, as `origin` would; the counter moves on. */
export async function softGet(
  key: SoftKey,
  // deno-lint-ignore no-explicit-any -- the options JSON as the server sent it
  options: any,
  origin: string,
  input: { flags?: Flags; rpId?: string; counter?: number; challenge?: string } = {},
): Promise<Record<string, unknown>> {
  key.counter = input.counter ?? key.counter + 1;
  const authData = new Uint8Array([
    ...await sha256(new TextEncoder().encode(input.rpId ?? options.rpId)),
    flagsByte(input.flags ?? { uv: true }, false),
    ...counterBytes(key.counter),
  ]);
  const data = clientData("webauthn.get", input.challenge ?? options.challenge, origin);
  const signed = new Uint8Array([...authData, ...await sha256(data)]);
  const raw = new Uint8Array(
    await crypto.subtle.sign({ name: "ECDSA", hash: "SHA-256" }, key.keys.privateKey, signed),
  );
  const id = toBase64Url(key.credentialId);
  return {
    id,
    rawId: id,
    type: "public-key",
    response: {
      clientDataJSON: toBase64Url(data),
      authenticatorData: toBase64Url(authData),
      signature: toBase64Url(derSignature(raw)),
      userHandle: toBase64Url(key.userHandle),
    },
    clientExtensionResults: {},
  };
}
