/**
 * @module OpenID Connect clients: registered by an admin (console, API, CLI), the secret shown
 * once and stored as SHA-256 (it carries 256 random bits, so a fast hash is enough), compared in
 * constant time. Confidential clients authenticate with client_secret_basic or
 * client_secret_post; public clients (no secret) must use PKCE.
 */
import { z } from "zod";
import { audit, auditInsert } from "../audit/repo.ts";
import type { Deps } from "../deps.ts";
import { randomBytes, randomId, sha256Hex, timingSafeEqual } from "../lib/crypto.ts";
import { fromBase64, toBase64Url } from "../lib/encoding.ts";
import type { RequestMeta } from "../http/client.ts";
import { validRedirectUri } from "./oidc.ts";
import {
  deleteClient,
  findClient,
  insertClientStatement,
  listClients,
  type OidcClientRow,
  updateClientRow,
  updateClientStatement,
} from "./repo.ts";

export const SIGNING_ALGS = ["EdDSA", "RS256"] as const;
export type SigningAlg = (typeof SIGNING_ALGS)[number];

const uri = z.string().max(2000).refine(validRedirectUri, {
  message: "must be an absolute http(s) URL without a fragment",
});

/** What an admin gives to register a client. */
export const clientInput = z.object({
  name: z.string().trim().min(1).max(100),
  redirect_uris: z.array(uri).min(1).max(10),
  post_logout_redirect_uris: z.array(uri).max(10).default([]),
  public: z.boolean().default(false),
  signing_alg: z.enum(SIGNING_ALGS).default("EdDSA"),
});
export type ClientInput = z.output<typeof clientInput>;

export type ClientActor = { userId: string | null; username: string; meta: RequestMeta };

export type ClientView = {
  client_id: string;
  name: string;
  public: boolean;
  redirect_uris: string[];
  post_logout_redirect_uris: string[];
  signing_alg: string;
  created_at: string;
};

export function clientView(row: OidcClientRow): ClientView {
  return {
    client_id: row.id,
    name: row.name,
    public: row.secretHash === null,
    redirect_uris: JSON.parse(row.redirectUris),
    post_logout_redirect_uris: JSON.parse(row.postLogoutRedirectUris),
    signing_alg: row.signingAlg,
    created_at: new Date(row.createdAt).toISOString(),
  };
}

/** RS256 signs with the RSA key of SIGNING_KEYS: refused for the field while there is none. */
function rsaKeyMissing(deps: Deps, alg: string | undefined) {
  return alg === "RS256" && !deps.keys.rsa
    ? {
      ok: false as const,
      field: "signing_alg",
      message: "RS256 needs an RSA key in SIGNING_KEYS (deno task cli keys:generate makes one)",
    }
    : null;
}

/**
 * Registers a client. Returns the secret once (none for a public client). RS256 needs an RSA key
 * in the signing keys.
 */
export async function createClient(
  deps: Deps,
  input: ClientInput,
  actor: ClientActor,
): Promise<
  { ok: true; row: OidcClientRow; secret: string | null } | {
    ok: false;
    field: string;
    message: string;
  }
> {
  const unsigned = rsaKeyMissing(deps, input.signing_alg);
  if (unsigned) return unsigned;
  const now = deps.clock.now();
  const secret = input.public ? null : toBase64Url(randomBytes(32));
  const row: OidcClientRow = {
    id: randomId(16),
    name: input.name,
    secretHash: secret === null ? null : await sha256Hex(secret),
    redirectUris: JSON.stringify([...new Set(input.redirect_uris)]),
    postLogoutRedirectUris: JSON.stringify([...new Set(input.post_logout_redirect_uris)]),
    signingAlg: input.signing_alg,
    createdAt: now.getTime(),
    createdBy: actor.username,
  };
  await deps.db.batch([
    insertClientStatement(deps.db, row),
    auditInsert(deps.db, {
      event: "oidc.client_create",
      outcome: "success",
      userId: actor.userId,
      username: actor.username,
      ...actor.meta,
      detail: {
        client: row.id,
        name: row.name,
        public: secret === null,
        redirect_uris: input.redirect_uris,
        signing_alg: row.signingAlg,
      },
    }, now),
  ]);
  return { ok: true, row, secret };
}

/** What an admin may change on a client; the secret only through `rotateSecret`. */
export const clientPatch = z.object({
  name: z.string().trim().min(1).max(100).optional(),
  redirect_uris: z.array(uri).min(1).max(10).optional(),
  post_logout_redirect_uris: z.array(uri).max(10).optional(),
  signing_alg: z.enum(SIGNING_ALGS).optional(),
}).strict();
export type ClientPatch = z.output<typeof clientPatch>;

/** Changes a client's name, addresses or algorithm; audited with what changed. */
export async function updateClient(
  deps: Deps,
  id: string,
  patch: ClientPatch,
  actor: ClientActor,
): Promise<
  | { ok: true; row: OidcClientRow }
  | { ok: false; field: string; message: string }
  | { ok: false; field: null }
> {
  const unsigned = rsaKeyMissing(deps, patch.signing_alg);
  if (unsigned) return unsigned;
  const now = deps.clock.now();
  const row = await updateClientRow(deps.db, id, {
    ...(patch.name !== undefined ? { name: patch.name } : {}),
    ...(patch.redirect_uris
      ? { redirectUris: JSON.stringify([...new Set(patch.redirect_uris)]) }
      : {}),
    ...(patch.post_logout_redirect_uris
      ? { postLogoutRedirectUris: JSON.stringify([...new Set(patch.post_logout_redirect_uris)]) }
      : {}),
    ...(patch.signing_alg ? { signingAlg: patch.signing_alg } : {}),
  });
  if (!row) return { ok: false, field: null };
  await audit(deps.db, {
    event: "oidc.client_update",
    outcome: "success",
    userId: actor.userId,
    username: actor.username,
    ...actor.meta,
    detail: { client: id, changed: Object.keys(patch), ...patch },
  }, now);
  return { ok: true, row };
}

/** A new secret for a confidential client, returned once; the old one stops working at once. */
export async function rotateSecret(
  deps: Deps,
  id: string,
  actor: ClientActor,
): Promise<{ ok: true; secret: string } | { ok: false; reason: "not_found" | "public" }> {
  const client = await findClient(deps.db, id);
  if (!client) return { ok: false, reason: "not_found" };
  if (client.secretHash === null) return { ok: false, reason: "public" };
  const now = deps.clock.now();
  const secret = toBase64Url(randomBytes(32));
  await deps.db.batch([
    updateClientStatement(deps.db, id, { secretHash: await sha256Hex(secret) }),
    auditInsert(deps.db, {
      event: "oidc.client_secret_rotate",
      outcome: "success",
      userId: actor.userId,
      username: actor.username,
      ...actor.meta,
      detail: { client: id },
    }, now),
  ]);
  return { ok: true, secret };
}

export async function removeClient(deps: Deps, id: string, actor: ClientActor): Promise<boolean> {
  const now = deps.clock.now();
  const gone = await deleteClient(deps.db, id);
  if (gone) {
    await audit(deps.db, {
      event: "oidc.client_delete",
      outcome: "success",
      userId: actor.userId,
      username: actor.username,
      ...actor.meta,
      detail: { client: id },
    }, now);
  }
  return gone;
}

export { findClient, listClients };

export type ClientCredentials = {
  /** From the Authorization header (client_secret_basic). */
  basic?: { id: string; secret: string };
  /** From the form (client_secret_post, or a public client's bare client_id). */
  formId?: string;
  formSecret?: string;
};

/** Reads `Authorization: Basic` as RFC 6749 2.3.1 encodes it (form-urlencoded, then base64). */
export function parseBasicAuth(header: string | undefined): { id: string; secret: string } | null {
  const m = header?.match(/^Basic\s+([A-Za-z0-9+/=]{1,1400})$/i);
  if (!m) return null;
  try {
    const text = new TextDecoder("utf-8", { fatal: true }).decode(fromBase64(m[1]));
    const i = text.indexOf(":");
    if (i < 0) return null;
    const decode = (s: string) => decodeURIComponent(s.replaceAll("+", " "));
    return { id: decode(text.slice(0, i)), secret: decode(text.slice(i + 1)) };
  } catch {
    return null;
  }
}

/**
 * Authenticates the client at the token endpoint. One method per request (RFC 6749 2.3):
 * Basic, or client_id and client_secret in the form, or (public clients only) a bare client_id.
 * The secret's hash is compared in constant time; an unknown client costs the same hash.
 */
export async function authenticateClient(
  deps: Deps,
  creds: ClientCredentials,
): Promise<{ ok: true; client: OidcClientRow } | { ok: false; basic: boolean }> {
  const basic = creds.basic !== undefined;
  if (basic && (creds.formSecret !== undefined)) return { ok: false, basic };
  if (basic && creds.formId !== undefined && creds.formId !== creds.basic!.id) {
    return { ok: false, basic };
  }
  const id = creds.basic?.id ?? creds.formId;
  const secret = creds.basic?.secret ?? creds.formSecret;
  if (!id) return { ok: false, basic };
  const client = await findClient(deps.db, id);
  if (secret === undefined) {
    return client && client.secretHash === null ? { ok: true, client } : { ok: false, basic };
  }
  const presented = await sha256Hex(secret.slice(0, 512));
  const stored = client?.secretHash ?? "0".repeat(64);
  const match = timingSafeEqual(presented, stored);
  return client && client.secretHash !== null && match
    ? { ok: true, client }
    : { ok: false, basic };
}
