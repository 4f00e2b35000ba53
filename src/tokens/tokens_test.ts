import { assert, assertEquals, assertRejects, assertStringIncludes } from "../../tests/assert.ts";
import { deriveSecretKeys } from "../lib/crypto.ts";
import { fromBase64Url, toBase64Url, utf8 } from "../lib/encoding.ts";
import {
  generateRsaSigningJwk,
  generateSigningJwk,
  loadSigningKeys,
  type SigningKeys,
  signToken,
  TOKEN_CLOCK_SKEW_SECONDS,
  TOKEN_KINDS,
  type TokenKind,
  type TokenLifetimes,
  verifyToken,
} from "./tokens.ts";
import { type JWK, jwtVerify, SignJWT } from "jose";

const now = new Date("2026-11-22T12:00:00Z");
const later = new Date(now.getTime() + 5 * 60_000);

/** Longest lifetimes, seconds: 15 minutes, 7 days, 30 days. */
const LIFETIMES: TokenLifetimes = { pending: 900, session: 7 * 86_400, device: 30 * 86_400 };
const KINDS = Object.keys(TOKEN_KINDS) as TokenKind[];

/** A pending-token key as `deriveSecretKeys` makes one. */
const pendingKey = (await deriveSecretKeys(new Uint8Array(32).fill(7))).pendingToken;

async function keys(jwks?: JWK[]) {
  return await loadSigningKeys(
    jwks ?? [await generateSigningJwk()],
    "twofold-test",
    LIFETIMES,
    pendingKey,
  );
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

Deno.test("verifyToken() refuses what is not shaped as its tokens as malformed, before jose", async () => {
  const k = await keys();
  const t = await signToken(k, "session", { sub: "u1", jti: "j1", expiresAt: later }, now);
  const [h, p, sig] = t.split(".");
  const notJson = toBase64Url(utf8.encode("[1]"));
  for (
    const bad of [
      "x.y.z",
      "",
      `${h}.${p}`,
      `${h}.${p}.${sig}.${sig}`,
      `${h}.${p}.`,
      `${h}.${p}.${sig}+`,
      `${h}.${p}.${sig}=`,
      ` ${t}`,
      `${t}\n`,
      `${notJson}.${p}.${sig}`,
      `${h}.${notJson}.${sig}`,
    ]
  ) {
    assertEquals(
      await verifyToken(k, "session", bad, now),
      { ok: false, reason: "malformed" },
      bad,
    );
  }
  // The shape alone lets nothing through: well-formed, wrongly signed, refused as before.
  const forged = `${h}.${p}.${sig.slice(0, -2)}${sig.endsWith("AA") ? "BB" : "AA"}`;
  assertEquals(await verifyToken(k, "session", forged, now), { ok: false, reason: "invalid" });
  assert((await verifyToken(k, "session", t, now)).ok);
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

Deno.test("a pending token this process signed is verified from memory: the same answer, no signature check", async () => {
  const jwk = await generateSigningJwk();
  const k = await keys([jwk]);
  const expiresAt = new Date(now.getTime() + 10 * 60_000);
  const t = await signToken(k, "pending", {
    sub: "u1",
    jti: "p1",
    expiresAt,
    extra: { amr: ["pwd"], next: "totp" },
  }, now);
  // The same keys loaded again: a key set that never saw the token verifies it in full.
  const full = await verifyToken(await keys([jwk]), "pending", t, now);
  assert(full.ok);

  const subtle = crypto.subtle as { verify: SubtleCrypto["verify"] };
  const verify = subtle.verify;
  let checks = 0;
  subtle.verify = (...args: Parameters<SubtleCrypto["verify"]>) => {
    checks++;
    return verify.apply(crypto.subtle, args);
  };
  try {
    const kept = await verifyToken(k, "pending", t, now);
    assertEquals(checks, 0);
    assertEquals(kept, full);
    // Still only a pending token, still expiring, and a clock set back past the skew decides in
    // full, as it would without the cache (and refuses: iat lies ahead).
    assertEquals((await verifyToken(k, "session", t, now)).ok, false);
    assertEquals(await verifyToken(k, "pending", t, expiresAt), { ok: false, reason: "expired" });
    const before = new Date(now.getTime() - (TOKEN_CLOCK_SKEW_SECONDS + 5) * 1000);
    assertEquals((await verifyToken(k, "pending", t, before)).ok, false);
    assert(checks > 0);
  } finally {
    subtle.verify = verify;
  }
  // A session token is not kept as signed: its first check verifies it.
  const s = await signToken(k, "session", { sub: "u1", jti: "s1", expiresAt: later }, now);
  checks = 0;
  subtle.verify = (...args: Parameters<SubtleCrypto["verify"]>) => {
    checks++;
    return verify.apply(crypto.subtle, args);
  };
  try {
    assert((await verifyToken(k, "session", s, now)).ok);
    assertEquals(checks, 1);
  } finally {
    subtle.verify = verify;
  }
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

const nowSec = Math.floor(now.getTime() / 1000);

/** A token of `kind` signed with the real key, with the time claims given (none left out). */
async function forge(
  k: SigningKeys,
  kind: TokenKind,
  time: { iat?: number; nbf?: number; exp: number },
): Promise<string> {
  const { typ, aud } = TOKEN_KINDS[kind];
  return await new SignJWT({ ...time })
    .setProtectedHeader(
      kind === "pending" ? { alg: "HS256", typ } : { alg: k.alg, typ, kid: k.kid },
    )
    .setIssuer(k.issuer).setAudience(aud).setSubject("u1").setJti(crypto.randomUUID())
    .sign(kind === "pending" ? k.pending : k.privateKey);
}

Deno.test("pending tokens are HS256 under the derived key: no other key or algorithm passes for them", async () => {
  const k = await keys();
  const claims = { sub: "u1", jti: "j1", expiresAt: later };
  const pending = await signToken(k, "pending", claims, now);
  const header = JSON.parse(new TextDecoder().decode(fromBase64Url(pending.split(".")[0])));
  assertEquals(header, { alg: "HS256", typ: TOKEN_KINDS.pending.typ });
  // Checked in fresh key sets, so that the cache of tokens signed here does not answer: another
  // signing key with the same encryption key verifies it; the same signing key with another not.
  const same = await loadSigningKeys(
    [await generateSigningJwk()],
    "twofold-test",
    LIFETIMES,
    pendingKey,
  );
  assert((await verifyToken(same, "pending", pending, now)).ok, "the same HMAC key verifies");
  const other = await loadSigningKeys(
    [await generateSigningJwk()],
    "twofold-test",
    LIFETIMES,
    (await deriveSecretKeys(new Uint8Array(32).fill(8))).pendingToken,
  );
  assertEquals((await verifyToken(other, "pending", pending, now)).ok, false, "another key");
  const { typ, aud } = TOKEN_KINDS.pending;
  const signed = (alg: string, key: CryptoKey | Uint8Array, kid?: string) =>
    new SignJWT({}).setProtectedHeader({ alg, typ, ...(kid ? { kid } : {}) }).setIssuer(k.issuer)
      .setAudience(aud).setSubject("u1").setJti(crypto.randomUUID()).setIssuedAt(nowSec)
      .setExpirationTime(nowSec + 300).sign(key);
  // the old form (Ed25519, the signing key), another HMAC key, the public key as an HMAC secret
  for (
    const [label, token] of [
      ["EdDSA", await signed(k.alg, k.privateKey, k.kid)],
      ["another HMAC key", await signed("HS256", crypto.getRandomValues(new Uint8Array(32)))],
      [
        "the public JWK as HMAC secret",
        await signed("HS256", utf8.encode(JSON.stringify(k.jwks.keys[0]))),
      ],
    ] as const
  ) {
    assertEquals((await verifyToken(same, "pending", token, now)).ok, false, label);
  }
  // and the pending key signs no session token
  const session = await new SignJWT({}).setProtectedHeader({
    alg: "HS256",
    typ: TOKEN_KINDS.session.typ,
  })
    .setIssuer(k.issuer).setAudience(TOKEN_KINDS.session.aud).setSubject("u1").setJti("s1")
    .setIssuedAt(nowSec).setExpirationTime(nowSec + 300).sign(k.pending);
  assertEquals((await verifyToken(same, "session", session, now)).ok, false);
});

Deno.test("verifyToken() refuses an iat or nbf beyond the clock skew, for every kind", async () => {
  const k = await keys();
  const skew = TOKEN_CLOCK_SKEW_SECONDS;
  assertEquals(skew, 60);
  for (const kind of KINDS) {
    const ok = async (time: { iat?: number; nbf?: number; exp: number }) =>
      (await verifyToken(k, kind, await forge(k, kind, time), now)).ok;
    const exp = nowSec + 300;
    assert(await ok({ iat: nowSec, exp }), `${kind}: a normal token`);
    assertEquals(await ok({ iat: nowSec + 3600, exp: nowSec + 3900 }), false, `${kind}: iat +1 h`);
    assertEquals(await ok({ iat: nowSec + skew + 1, exp }), false, `${kind}: iat past the skew`);
    assert(await ok({ iat: nowSec + skew, exp }), `${kind}: iat at the edge of the skew`);
    assertEquals(await ok({ iat: nowSec, nbf: nowSec + 3600, exp }), false, `${kind}: nbf +1 h`);
    assertEquals(await ok({ iat: nowSec, nbf: nowSec + skew + 1, exp }), false, `${kind}: nbf`);
    assert(await ok({ iat: nowSec, nbf: nowSec + skew, exp }), `${kind}: nbf at the edge`);
    assertEquals(await ok({ exp }), false, `${kind}: no iat`);
  }
});

Deno.test("verifyToken() refuses a lifetime longer than the kind's maximum, for every kind", async () => {
  const k = await keys();
  for (const kind of KINDS) {
    const max = LIFETIMES[kind];
    const ok = async (iat: number, exp: number) =>
      (await verifyToken(k, kind, await forge(k, kind, { iat, exp }), now)).ok;
    assertEquals(await ok(nowSec, nowSec + 10 * 365 * 86_400), false, `${kind}: ten years`);
    assertEquals(await ok(nowSec, nowSec + max + 1), false, `${kind}: one second too long`);
    assert(await ok(nowSec, nowSec + max), `${kind}: exactly the maximum`);
    // An old iat cannot stretch it either: issued max + 1 s ago, still "valid" for 10 s.
    assertEquals(await ok(nowSec - max - 1, nowSec + 10), false, `${kind}: issued too long ago`);
  }
});

Deno.test("verifyToken() gives exp no clock-skew allowance", async () => {
  const k = await keys();
  const t = await forge(k, "session", { iat: nowSec - 100, exp: nowSec });
  assertEquals(await verifyToken(k, "session", t, now), { ok: false, reason: "expired" });
  const edge = await forge(k, "session", { iat: nowSec - 100, exp: nowSec + 1 });
  assert((await verifyToken(k, "session", edge, now)).ok);
});

Deno.test("signToken() never issues a token longer than its kind's maximum", async () => {
  const k = await keys();
  const tooLong = new Date(now.getTime() + (LIFETIMES.pending + 1) * 1000);
  await assertRejects(() =>
    signToken(k, "pending", { sub: "u", jti: "j", expiresAt: tooLong }, now)
  );
});

async function webCryptoJwk(alg: "EdDSA" | "ES256"): Promise<JWK> {
  const params = alg === "EdDSA" ? { name: "Ed25519" } : { name: "ECDSA", namedCurve: "P-256" };
  const pair = await crypto.subtle.generateKey(params, true, ["sign", "verify"]) as CryptoKeyPair;
  return { ...(await crypto.subtle.exportKey("jwk", pair.privateKey)) as JWK, kid: `wc-${alg}` };
}

Deno.test("loadSigningKeys() accepts keys as WebCrypto exports them (key_ops, ext) and they work", async () => {
  for (const alg of ["EdDSA", "ES256"] as const) {
    const jwk = await webCryptoJwk(alg);
    assertEquals([jwk.key_ops, jwk.ext], [["sign"], true]);
    const k = await keys([jwk]);
    const t = await signToken(k, "session", { sub: "u", jti: "w", expiresAt: later }, now);
    assert((await verifyToken(k, "session", t, now)).ok, `${alg}: own token refused`);
    // The published JWKS is clean and verifies the token on its own (as a relying party would).
    const [pub] = k.jwks.keys;
    assertEquals(
      Object.keys(pub).sort(),
      alg === "EdDSA"
        ? ["alg", "crv", "kid", "kty", "use", "x"]
        : ["alg", "crv", "kid", "kty", "use", "x", "y"],
    );
    const { createLocalJWKSet } = await import("jose");
    await jwtVerify(t, createLocalJWKSet(k.jwks), { currentDate: now });
  }
});

async function loadError(jwks: JWK[]): Promise<string> {
  try {
    await keys(jwks);
  } catch (e) {
    return (e as Error).message;
  }
  throw new Error("the key set was accepted");
}

Deno.test("loadSigningKeys() refuses a key whose public part does not match its private part", async () => {
  const good = await generateSigningJwk();
  const other = await generateSigningJwk();
  const corrupt = { ...(await generateSigningJwk()), kid: "bad-one", x: other.x };
  // Named by position and kid, whether it is the signing key or an older one.
  assertStringIncludes(await loadError([good, corrupt]), 'key 2 of 2 (kid "bad-one")');
  assertStringIncludes(await loadError([corrupt, good]), 'key 1 of 2 (kid "bad-one")');
  const ec = await webCryptoJwk("ES256");
  const ecOther = await webCryptoJwk("ES256");
  assertStringIncludes(
    await loadError([{ ...ec, x: ecOther.x, y: ecOther.y }]),
    'key 1 of 1 (kid "wc-ES256")',
  );
  assertStringIncludes(await loadError([{ ...good, d: "AAAA" }]), "key 1 of 1");
});

Deno.test("loadSigningKeys() refuses two keys with the same kid", async () => {
  const a = await generateSigningJwk();
  const b = { ...(await generateSigningJwk()), kid: a.kid };
  assertStringIncludes(await loadError([a, b]), "the same kid as key 1");
});

Deno.test("loadSigningKeys() keeps an RSA key aside: published, never signing twofold's tokens", async () => {
  const rsa = await generateRsaSigningJwk();
  const ed = await generateSigningJwk();
  const keys = await loadSigningKeys([ed, rsa], "twofold-test", LIFETIMES, pendingKey);
  assertEquals(keys.kid, ed.kid, "the newest non-RSA key signs, even with the RSA key last");
  assertEquals(keys.algorithms, ["EdDSA"]);
  assertEquals(keys.rsa?.kid, rsa.kid);
  assertEquals(keys.jwks.keys.map((k) => k.kid), [ed.kid, rsa.kid]);
  assertEquals(keys.jwks.keys[1].d, undefined, "no private member published");
  // An RS256 token signed by that key is no session token.
  const forged = await new SignJWT({ sid: "x" })
    .setProtectedHeader({ alg: "RS256", typ: TOKEN_KINDS.session.typ, kid: rsa.kid })
    .setIssuer("twofold-test").setAudience(TOKEN_KINDS.session.aud).setSubject("u").setJti("x")
    .setIssuedAt().setExpirationTime("1h").sign(keys.rsa!.privateKey);
  assertEquals((await verifyToken(keys, "session", forged, new Date())).ok, false);
  const broken = await assertRejects(() =>
    loadSigningKeys(
      [ed, { ...rsa, d: toBase64Url(new Uint8Array(256)) }],
      "t",
      LIFETIMES,
      pendingKey,
    )
  );
  assertStringIncludes(broken.message, "RSA key");
  const alone = await assertRejects(() => loadSigningKeys([rsa], "t", LIFETIMES, pendingKey));
  assertStringIncludes(alone.message, "no signing key");
});

Deno.test("signToken() signs what jose's SignJWT signs, byte for byte (Ed25519), payload for payload (ES256)", async () => {
  const ed = await keys();
  const p256 = await (async () => {
    const { privateKey } = await crypto.subtle.generateKey(
      { name: "ECDSA", namedCurve: "P-256" },
      true,
      ["sign", "verify"],
    );
    const jwk = await crypto.subtle.exportKey("jwk", privateKey) as JWK;
    return await keys([{ ...jwk, kid: "p1" }]);
  })();
  const reference = (k: SigningKeys, kind: TokenKind, extra: Record<string, unknown>) =>
    new SignJWT({ ...extra })
      .setProtectedHeader(
        kind === "pending"
          ? { alg: "HS256", typ: TOKEN_KINDS[kind].typ }
          : { alg: k.alg, typ: TOKEN_KINDS[kind].typ, kid: k.kid },
      )
      .setIssuer(k.issuer)
      .setAudience(TOKEN_KINDS[kind].aud)
      .setSubject("user-1")
      .setJti("jti-1")
      .setIssuedAt(Math.floor(now.getTime() / 1000))
      .setExpirationTime(Math.floor(later.getTime() / 1000))
      .sign(kind === "pending" ? k.pending : k.privateKey);
  const extras = [
    undefined,
    { purpose: "challenge" },
    { sid: "s1", username: "Ann \u00e9 \u{1F600}", roles: ["admin", "x"], n: 3, flag: false },
    // a claim of the set given as an extra keeps its place and takes the set's value
    { sub: "other", extra: "y" },
  ];
  for (const kind of KINDS) {
    for (const extra of extras) {
      const claims = { sub: "user-1", jti: "jti-1", expiresAt: later, ...(extra ? { extra } : {}) };
      const ours = await signToken(ed, kind, claims as never, now);
      assertEquals(
        ours,
        await reference(ed, kind, extra ?? {}),
        `${kind} ${JSON.stringify(extra)}`,
      );
      const [h, p] = (await signToken(p256, kind, claims as never, now)).split(".");
      const [rh, rp] = (await reference(p256, kind, extra ?? {})).split(".");
      assertEquals([h, p], [rh, rp], `ES256 ${kind}`);
    }
  }
  await assertRejects(() =>
    signToken(ed, "session", { sub: "u", jti: "j", expiresAt: new Date(NaN) }, now)
  );
});
