/**
 * @module The WebAuthn request bodies and answers. A credential travels as the JSON form that
 * WebAuthn Level 3 defines (`PublicKeyCredential.toJSON()`): base64url strings; the library
 * checks its contents, these schemas only bound its shape and size.
 */
import { z } from "zod";

const b64url = z.string().max(16_384).regex(/^[A-Za-z0-9_-]*$/, "Not base64url.");
const token = z.string().min(1).max(4096);
const extensions = z.record(z.string(), z.unknown()).default({});

/** A credential's JSON (`PublicKeyCredential.toJSON()`) with its ceremony's response fields. */
const credential = <R extends z.ZodRawShape>(response: R) =>
  z.object({
    id: b64url.min(1).max(1366),
    rawId: b64url.min(1).max(1366),
    type: z.literal("public-key"),
    response: z.object({ clientDataJSON: b64url.min(1), ...response }),
    clientExtensionResults: extensions,
    authenticatorAttachment: z.enum(["platform", "cross-platform"]).optional(),
  });

export const registrationCredential = credential({
  attestationObject: b64url.min(1),
  transports: z.array(z.string().max(32)).max(8).optional(),
});

export const assertionCredential = credential({
  authenticatorData: b64url.min(1),
  signature: b64url.min(1),
  userHandle: b64url.optional(),
});

/**
 * A credential as the JSON object, or as its JSON text (what the pages' hidden field carries).
 * One union, so a bad credential is one field error named `credential`.
 */
function objectOrText<T extends z.ZodType>(schema: T) {
  const text = z.string().max(65_536).transform((s, ctx) => {
    try {
      return JSON.parse(s);
    } catch {
      ctx.addIssue({ code: "custom", message: "Not JSON." });
      return z.NEVER;
    }
  }).pipe(schema);
  return z.union([schema, text]);
}

export const keyName = z.string().trim().min(1, "Enter a name.").max(64);

export const registerBody = z.object({
  challenge_id: token,
  name: keyName,
  credential: objectOrText(registrationCredential),
});
/** A key's answer inside POST /api/v1/me/reauth (one field, so one field error). */
export const reauthKeyBody = objectOrText(z.object({
  challenge_id: token,
  credential: objectOrText(assertionCredential),
}));
export const renameKeyBody = z.object({ name: keyName });
export const secondFactorOptionsBody = z.object({ pending_token: token });
export const secondFactorBody = z.object({
  pending_token: token,
  challenge_id: token,
  credential: objectOrText(assertionCredential),
  trust_device: z.boolean().default(false),
  device_name: z.string().trim().max(64).optional(),
});
export const passkeyBody = z.object({
  challenge_id: token,
  credential: objectOrText(assertionCredential),
  remember_me: z.boolean().default(false),
});

const iso = z.iso.datetime();

export const keyResponse = z.object({
  id: z.string(),
  name: z.string(),
  created_at: iso,
  last_used_at: iso.nullable(),
  transports: z.array(z.string()),
  backed_up: z.boolean().describe("A synced passkey (WebAuthn flag BS)."),
  user_verified: z.boolean().describe("User verification at registration (PIN, biometrics)."),
  discoverable: z.boolean().describe("Can sign in without a username (a passkey)."),
});
export const keysResponse = z.object({ security_keys: z.array(keyResponse) });
export const oneKeyResponse = z.object({ security_key: keyResponse });

export const optionsResponse = z.object({
  challenge_id: z.string().describe("Send it back with the credential; it works once."),
  options: z.record(z.string(), z.unknown()).describe(
    "PublicKeyCredentialCreationOptionsJSON or RequestOptionsJSON: hand it to " +
      "PublicKeyCredential.parse…OptionsFromJSON() and navigator.credentials.",
  ),
});
