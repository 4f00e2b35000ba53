/**
 * @module The admin console's API keys in HTML (`/admin/api-keys`): list, create (the key is
 * shown once), revoke. The same calls as `/api/v1/admin/api-keys` (src/apikeys/), behind the
 * console's guard: an admin in a full session with a second factor.
 */
import { type Context, Hono } from "hono";
import { z } from "zod";
import { createApiKey, listKeys, revokeKey } from "../apikeys/service.ts";
import type { Deps } from "../deps.ts";
import { requestMeta } from "../http/client.ts";
import { csrfToken, htmlWithCsrf } from "../http/csrf.ts";
import { messageOf } from "../http/respond.ts";
import { formRecord } from "../http/validate.ts";
import { SCOPES } from "../lib/scopes.ts";
import { findUserByUsername } from "../users/repo.ts";
import type { FormErrors, FormValues } from "../views/components.tsx";
import { ApiKeysPage, NewApiKeyPage } from "./api_keys_page.tsx";
import { adminPageGuard } from "./console_guard.tsx";

const NOTICES: Record<string, string> = { key_revoked: "The API key is revoked." };

const keyForm = z.object({
  username: z.string().trim().min(1, "Enter the username of the key's user.").max(128),
  name: z.string().trim().min(1, "Name the key.").max(64, "Use at most 64 characters."),
  scopes: z.array(z.enum(SCOPES)).min(1, "Choose at least one scope.").max(SCOPES.length),
  expires_in_days: z.number({ error: "Enter a whole number of days from 1 to 3650." }).int()
    .min(1, "Enter a whole number of days from 1 to 3650.")
    .max(3650, "Enter a whole number of days from 1 to 3650.")
    .optional(),
});

export function adminApiKeyPages(deps: Deps): Hono {
  const app = new Hono();
  const { config } = deps;

  /** The console's guard: others see the 403 page, strangers go to the login and to this page. */
  const admin = adminPageGuard(deps, "/admin/api-keys", true);

  const render = async (
    c: Context,
    extra: { values?: FormValues; errors?: FormErrors; status?: number; notice?: string } = {},
  ) => {
    return await htmlWithCsrf(c, deps, extra.status ?? 200, async (csrf) => (
      <ApiKeysPage
        csrf={csrf}
        keys={await listKeys(deps, { kind: "api_key" })}
        values={extra.values ?? {}}
        errors={extra.errors ?? {}}
        notice={extra.notice}
      />
    ));
  };

  app.get(
    "/admin/api-keys",
    admin((c) => render(c, { notice: NOTICES[c.req.query("notice") ?? ""] })),
  );

  app.post(
    "/admin/api-keys",
    admin(async (c, ctx) => {
      const form = await formRecord(c);
      const values: FormValues = {
        username: form.username,
        name: form.name,
        expires_in_days: form.expires_in_days,
        ...Object.fromEntries(SCOPES.map((s) => [`scope_${s}`, form[`scope_${s}`] ?? ""])),
      };
      const days = form.expires_in_days?.trim();
      const parsed = keyForm.safeParse({
        username: form.username ?? "",
        name: form.name ?? "",
        scopes: SCOPES.filter((s) => form[`scope_${s}`] === "on" || form[`scope_${s}`] === "true"),
        expires_in_days: days ? Number(days) : undefined,
      });
      const invalid = (errors: FormErrors) => render(c, { values, errors, status: 400 });
      if (!parsed.success) {
        const errors: FormErrors = {};
        for (const i of parsed.error.issues) errors[String(i.path[0])] ??= i.message;
        return await invalid(errors);
      }
      const user = await findUserByUsername(deps.db, parsed.data.username);
      if (!user) return await invalid({ username: "There is no user with this username." });
      const r = await createApiKey(deps, {
        user,
        kind: "api_key",
        name: parsed.data.name,
        scopes: parsed.data.scopes,
        days: parsed.data.expires_in_days,
        createdBy: ctx.user.id,
        meta: requestMeta(c, config),
      });
      if (!r.ok) return await invalid({ scopes: messageOf(r.code) });
      c.header("Cache-Control", "no-store");
      return c.html(
        <NewApiKeyPage
          csrf={await csrfToken(c, deps)}
          apiKey={r.key}
          name={r.row.name}
          user={user.displayName}
        />,
      );
    }),
  );

  app.post(
    "/admin/api-keys/:id/revoke",
    admin(async (c, ctx) => {
      const r = await revokeKey(deps, {
        id: c.req.param("id")!,
        by: ctx.user,
        meta: requestMeta(c, config),
      });
      if (r.ok) return c.redirect("/admin/api-keys?notice=key_revoked", 303);
      return await render(c, { status: 404, notice: undefined });
    }),
  );

  return app;
}
