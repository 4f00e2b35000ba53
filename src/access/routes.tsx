/**
 * @module Access rules over HTTP: `GET`/`PUT /api/v1/admin/access-rules`, the tester
 * `POST /api/v1/admin/access-rules/test`, and the console page `/admin/access`. Admins only (a
 * session with a second factor), as the rest of the console and admin API.
 */
import { type Context, Hono } from "hono";
import { z } from "zod";
import type { Deps } from "../deps.ts";
import { withBody } from "../caller/resolve.ts";
import { adminCallers, adminDoc, formPage } from "../admin/console_guard.tsx";
import { csrfToken } from "../http/csrf.ts";
import { errorBody, fieldErrors } from "../http/respond.ts";
import { t } from "../i18n/i18n.ts";
import { AccessRulesPage } from "./pages.tsx";
import { ACCESS_ACTIONS, type AccessDecision, accessRulesSchema, HTTP_METHODS } from "./rules.ts";
import { accessRulesSaved, saveAccessRules, storedAccessRules, testAccess } from "./service.ts";

const testBody = z.object({
  url: z.string().max(2048),
  username: z.string().max(64).optional(),
  method: z.string().trim().toUpperCase().pipe(z.enum(HTTP_METHODS)).default("GET"),
  ip: z.string().max(64).optional(),
}).strict();

const testResponse = z.object({
  outcome: z.enum(["allow", "deny", "login", "second_factor", "step_up"]),
  action: z.enum(ACCESS_ACTIONS).nullable().describe("The action that decided (null for login)."),
  rule: z.number().int().nullable().describe("The index of the deciding rule; null: the default."),
});

const doc = {
  get: adminDoc({
    summary: "The access rules for apps behind forward-auth",
    success: { status: 200, description: "The rules document.", json: accessRulesSchema },
  }),
  put: adminDoc({
    summary: "Replace the access rules (first match wins; omitted match fields match anything)",
    body: accessRulesSchema,
    success: { status: 200, description: "The saved document.", json: accessRulesSchema },
  }),
  test: adminDoc({
    summary: "Who may reach this URL? Decide a URL for a user (or nobody signed in)",
    description: "The user is taken as signed in with a second factor just now; without a " +
      "username, as someone not signed in.",
    body: testBody,
    success: { status: 200, description: "The decision.", json: testResponse },
  }),
};

function decisionJson(d: AccessDecision, rules: { default: string; rules: { action: string }[] }) {
  const action = d.outcome === "login"
    ? null
    : d.rule === null
    ? rules.default
    : rules.rules[d.rule].action;
  return { outcome: d.outcome, action, rule: d.rule };
}

const FIELD_MESSAGES = {
  url: "Enter a full URL like https://app.example.com/path.",
  username: "There is no user with that name.",
  ip: "Enter an IP address like 192.0.2.10, or nothing.",
} as const;

export function accessRoutes(deps: Deps): Hono {
  const app = new Hono();
  const { api, page, who } = adminCallers(deps, "/admin/access");

  app.get(
    "/api/v1/admin/access-rules",
    doc.get,
    api(async (c) => c.json(await storedAccessRules(deps))),
  );

  app.put(
    "/api/v1/admin/access-rules",
    doc.put,
    ...withBody(accessRulesSchema, api, async (c, ctx, next) => {
      await saveAccessRules(deps, who(c, ctx), next);
      return c.json(next);
    }),
  );

  app.post(
    "/api/v1/admin/access-rules/test",
    doc.test,
    ...withBody(testBody, api, async (c, _ctx, body) => {
      const r = await testAccess(deps, body);
      if (!r.ok) {
        return c.json(
          errorBody("validation_failed", { [r.field]: [FIELD_MESSAGES[r.field]] }),
          400,
        );
      }
      return c.json(decisionJson(r.decision, r.rules));
    }),
  );

  // ---- the console page ----

  const render = async (
    c: Context,
    extra: { documentText?: string; documentError?: string; notice?: string; status?: number },
  ) => {
    const rules = await storedAccessRules(deps);
    const q = c.req.query();
    const values = { user: q.user, url: q.url, method: q.method, ip: q.ip };
    const errors: Record<string, string | undefined> = {};
    let result: AccessDecision | undefined;
    if (q.url !== undefined) {
      const method = (HTTP_METHODS as readonly string[]).includes((q.method ?? "").toUpperCase())
        ? q.method!.toUpperCase()
        : "GET";
      const r = await testAccess(deps, { url: q.url, username: q.user, method, ip: q.ip });
      if (r.ok) result = r.decision;
      else errors[r.field === "username" ? "user" : r.field] = FIELD_MESSAGES[r.field];
    }
    return c.html(
      <AccessRulesPage
        csrf={await csrfToken(c, deps)}
        notice={extra.notice}
        rules={rules}
        builtin={!(await accessRulesSaved(deps))}
        documentText={extra.documentText ?? JSON.stringify(rules, null, 2)}
        documentError={extra.documentError}
        tester={{ values, errors, result }}
      />,
      (extra.status ?? 200) as 200,
    );
  };

  formPage(app, page, "/admin/access", {
    render,
    notices: { saved: "admin.access.saved" },
    post: async (c, ctx, form) => {
      const text = form.rules ?? "";
      let value: unknown;
      try {
        value = JSON.parse(text);
      } catch (e) {
        return await render(c, {
          documentText: text,
          documentError: t("admin.access.invalid_json", { message: (e as Error).message }),
          status: 400,
        });
      }
      const parsed = accessRulesSchema.safeParse(value);
      if (!parsed.success) {
        const fields = fieldErrors(parsed.error);
        const message = Object.entries(fields).map(([k, v]) => `${k}: ${v.join(" ")}`).join("; ");
        return await render(c, { documentText: text, documentError: message, status: 400 });
      }
      await saveAccessRules(deps, who(c, ctx), parsed.data);
      return c.redirect("/admin/access?notice=saved", 303);
    },
  });

  return app;
}
