import { assert, assertEquals } from "../../tests/assert.ts";
import { toBase64Url } from "../lib/encoding.ts";
import {
  generateSigningJwk,
  loadSigningKeys,
  signToken,
  TOKEN_KINDS,
  verifyToken,
} from "./tokens.ts";
import { type JWK, SignJWT } from "jose";

const now = new Date("2026-11-22T12:00:00Z");
const later = new Date(now.getTime() + 5 * 60_000);

async function keys(jwks?: JWK[]) {
  return await loadSigningKeys(jwks ?? [await generateSigningJwk()], "twofold-test");
}

Deno.test("verifyToken() accepts a token of its own kind", async () => {
  const k = await keys();
  const t = await signToken(k, "session", {
    sub: "u1",
    jti: "j1",
    expiresAt: later,
    extra: { sid: "s1" },
  }, now);
  const r = await verifyToken(k, "session", t, now);
  assert(r.ok);
  assertEquals([r.token.sub, r.token.jti, r.token.payload.sid], ["u1", "j1", "s1"]);
});

Deno.test("verifyToken() refuses every kind where another is expected", async () => {
  const k = await keys();
  const kinds = Object.keys(TOKEN_KINDS) as (keyof typeof TOKEN_KINDS)[];
  for (const signed of kinds) {
    const t = await signToken(k, signed, { sub: "u1", jti: "j", expiresAt: later }, now);
    for (const expected of kinds) {
      const r = await verifyToken(k, expected, t, now);
      assertEquals(r.ok, signed === expected, `${signed} as ${expected}`);
    }
  }
});

Deno.test("verifyToken() refuses expired tokens", async () => {
  const k = await keys();
  const t = await signToken(k, "pending", { sub: "u1", jti: "j", expiresAt: later }, now);
  assertEquals(await verifyToken(k, "pending", t, new Date(later.getTime() + 1000)), {
    ok: false,
    reason: "expired",
  });
});

Deno.test("verifyToken() refuses alg none, foreign keys and embedded keys", async () => {
  const k = await keys();
  const enc = (o: unknown) => toBase64Url(new TextEncoder().encode(JSON.stringify(o)));
  const claims = {
    sub: "u1",
    jti: "j",
    iat: 1,
    exp: 9999999999,
    iss: "twofold-test",
    aud: "twofold:session",
  };
  const none = `${enc({ alg: "none", typ: TOKEN_KINDS.session.typ })}.${enc(claims)}.`;
  assertEquals((await verifyToken(k, "session", none, now)).ok, false);

  const other = await keys();
  const foreign = await signToken(other, "session", { sub: "u1", jti: "j", expiresAt: later }, now);
  assertEquals((await verifyToken(k, "session", foreign, now)).ok, false);

  const jwk = await generateSigningJwk();
  const { d: _d, ...pub } = jwk;
  const { importJWK } = await import("jose");
  const embedded = await new SignJWT(claims)
    .setProtectedHeader({ alg: "EdDSA", typ: TOKEN_KINDS.session.typ, jwk: pub })
    .sign(await importJWK(jwk, "EdDSA"));
  assertEquals((await verifyToken(k, "session", embedded, now)).ok, false);
  assertEquals((await verifyToken(k, "session", "not-a-token", now)).ok, false);
});

Deno.test("verifyToken() requires jti, sub, iat and exp", async () => {
  const jwk = await generateSigningJwk();
  const k = await keys([jwk]);
  const { importJWK } = await import("jose");
  const noJti = await new SignJWT({})
    .setProtectedHeader({ alg: "EdDSA", typ: TOKEN_KINDS.session.typ, kid: jwk.kid })
    .setIssuer("twofold-test").setAudience("twofold:session").setSubject("u1")
    .setIssuedAt(now).setExpirationTime(later)
    .sign(await importJWK(jwk, "EdDSA"));
  assertEquals((await verifyToken(k, "session", noJti, now)).ok, false);
});

Deno.test("loadSigningKeys() signs with the newest key and verifies with older ones", async () => {
  const old = await generateSigningJwk();
  const k1 = await keys([old]);
  const t1 = await signToken(k1, "session", { sub: "u", jti: "a", expiresAt: later }, now);
  const k2 = await keys([old, await generateSigningJwk()]);
  assert((await verifyToken(k2, "session", t1, now)).ok);
  assertEquals(k2.jwks.keys.length, 2);
  assert(k2.jwks.keys.every((key) => !("d" in key)), "public JWKS must not carry private parts");
});

Deno.test("verifyToken() remembers a verified token but still expires it and keeps kinds apart", async () => {
  const k = await keys();
  const t = await signToken(k, "session", { sub: "u", jti: "c", expiresAt: later }, now);
  assert((await verifyToken(k, "session", t, now)).ok);
  assert((await verifyToken(k, "session", t, now)).ok); // from the cache
  assertEquals((await verifyToken(k, "pending", t, now)).ok, false);
  assertEquals(await verifyToken(k, "session", t, later), { ok: false, reason: "expired" });
  // Another key set (a restart after rotation) verifies from scratch.
  assertEquals((await verifyToken(await keys(), "session", t, now)).ok, false);
});

Deno.test("loadSigningKeys() keeps accepting an older ES256 key next to a new Ed25519 one", async () => {
  const { generateKeyPair, exportJWK } = await import("jose");
  const { privateKey } = await generateKeyPair("ES256", { extractable: true });
  const ec = { ...(await exportJWK(privateKey)), kid: "old-ec" };
  const before = await keys([ec]);
  assertEquals(before.algorithms, ["ES256"]);
  const t = await signToken(before, "session", { sub: "u", jti: "e", expiresAt: later }, now);
  const after = await keys([ec, await generateSigningJwk()]);
  assertEquals([after.alg, after.algorithms], ["EdDSA", ["ES256", "EdDSA"]]);
  assert((await verifyToken(after, "session", t, now)).ok);
  const fresh = await signToken(after, "session", { sub: "u", jti: "f", expiresAt: later }, now);
  assertEquals(
    JSON.parse(atob(fresh.split(".")[0].replaceAll("-", "+").replaceAll("_", "/"))).alg,
    "EdDSA",
  );
  // An Ed25519-only set refuses ES256 tokens outright (the algorithm list is pinned).
  assertEquals((await verifyToken(await keys(), "session", t, now)).ok, false);
});
