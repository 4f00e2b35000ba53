import { assertEquals } from "../../tests/assert.ts";
import {
  DEFAULT_WEBAUTHN_POLICY,
  hasCountedFactor,
  mayRegister,
  mayRemove,
  relyingParty,
  webauthnPolicySchema,
} from "./webauthn.ts";

const policy = DEFAULT_WEBAUTHN_POLICY;

Deno.test("relyingParty() takes PUBLIC_URL over the request, and the request without it", () => {
  assertEquals(relyingParty("https://login.example.com/", "http://10.0.0.5:8080/login"), {
    rpId: "login.example.com",
    origin: "https://login.example.com",
  });
  assertEquals(relyingParty(undefined, "http://localhost:8080/login/totp?x=1"), {
    rpId: "localhost",
    origin: "http://localhost:8080",
  });
});

Deno.test("the WebAuthn policy defaults: keys count, passkey-only off, no fallback required", () => {
  assertEquals(policy, { secondFactor: true, passkeySignIn: false, fallback: "none" });
  assertEquals(webauthnPolicySchema.safeParse({ probe: true }).success, false);
});

Deno.test("hasCountedFactor() counts keys only while the policy lets them stand in", () => {
  const keysOnly = { authenticators: 0, keys: 1, recoveryCodes: 0 };
  assertEquals(hasCountedFactor(policy, keysOnly), true);
  assertEquals(hasCountedFactor({ ...policy, secondFactor: false }, keysOnly), false);
});

Deno.test("mayRemove() keeps the last required factor and the required fallback", () => {
  const one = { authenticators: 1, keys: 1, recoveryCodes: 0 };
  assertEquals(mayRemove({ policy, required: true, counts: one, kind: "authenticator" }).ok, true);
  assertEquals(
    mayRemove({ policy, required: true, counts: { ...one, authenticators: 0 }, kind: "key" }),
    { ok: false, reason: "last_factor" },
  );
  assertEquals(
    mayRemove({
      policy: { ...policy, secondFactor: false },
      required: true,
      counts: one,
      kind: "authenticator",
    }),
    { ok: false, reason: "last_factor" },
  );
  const totp = { ...policy, fallback: "totp" as const };
  assertEquals(
    mayRemove({ policy: totp, required: false, counts: one, kind: "authenticator" }),
    { ok: false, reason: "fallback_required" },
  );
  // The last key may go even under a fallback rule: no key, no fallback needed.
  assertEquals(
    mayRemove({ policy: totp, required: false, counts: { ...one, authenticators: 0 }, kind: "key" })
      .ok,
    true,
  );
  const either = { ...policy, fallback: "totp_or_recovery" as const };
  assertEquals(
    mayRemove({
      policy: either,
      required: false,
      counts: { ...one, recoveryCodes: 3 },
      kind: "authenticator",
    }).ok,
    true,
  );
});

Deno.test("mayRegister() asks for the fallback first when the policy requires one", () => {
  const none = { authenticators: 0, keys: 0, recoveryCodes: 0 };
  assertEquals(mayRegister(policy, none), true);
  assertEquals(mayRegister({ ...policy, fallback: "totp" }, none), false);
  assertEquals(
    mayRegister({ ...policy, fallback: "totp_or_recovery" }, { ...none, recoveryCodes: 1 }),
    true,
  );
});
