/**
 * @module Blocked client addresses for admins, over JSON (`/api/v1/admin/ip-blocks`) and in the
 * console (`/admin/ip-blocks`): the list, and lifting a block (audited).
 */
import { type Context, Hono } from "hono";
import { z } from "zod";
import type { Deps } from "../deps.ts";
import { withBody } from "../caller/resolve.ts";
import { csrfToken } from "../http/csrf.ts";
import { jsonDone } from "../http/respond.ts";
import { t } from "../i18n/i18n.ts";
import { type IpBlock, ipBlocks, liftBlock } from "../protection/blocks.ts";
import { securitySettings } from "../settings/security.ts";
import { adminCallers, adminDoc, formPage } from "./console_guard.tsx";
import { IpBlocksPage } from "./ip_blocks_page.tsx";

const liftBody = z.object({ address: z.string().trim().min(1).max(64) }).strict();

const iso = z.iso.datetime();
const blockJson = z.object({
  address: z.string().describe("The address, or an IPv6 /64: blocks hold per /64."),
  since: iso.nullable(),
  until: iso,
  failures: z.number().int().nullable().describe("The failures that led to this block."),
  last_username: z.string().nullable().describe("The last username tried from there."),
  blocks: z.number().int().describe("Blocks that count towards the next one's length."),
});

const doc = {
  list: adminDoc({
    summary: "Blocked client addresses",
    success: {
      status: 200,
      description: "The blocks in force.",
      json: z.object({ blocks: z.array(blockJson) }),
    },
  }),
  lift: adminDoc({
    summary: "Lift the block on an address (as listed, or any address inside an IPv6 /64)",
    success: { status: 204, description: "Lifted; its failures and past blocks are forgiven." },
    errors: ["not_found"],
  }),
};

const at = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());
const toJson = (b: IpBlock) => ({
  address: b.address,
  since: at(b.since),
  until: at(b.until),
  failures: b.failures,
  last_username: b.lastUsername,
  blocks: b.blocks,
});

export function ipBlockRoutes(deps: Deps): Hono {
  const app = new Hono();
  const { api, page: admin, who } = adminCallers(deps);

  app.get(
    "/api/v1/admin/ip-blocks",
    doc.list,
    api(async (c) => c.json({ blocks: (await ipBlocks(deps)).map(toJson) })),
  );

  app.post(
    "/api/v1/admin/ip-blocks/lift",
    doc.lift,
    ...withBody(liftBody, api, async (c, ctx, body) => {
      const r = await liftBlock(deps, who(c, ctx), body.address);
      return jsonDone(c, r);
    }),
  );

  const render = async (c: Context, extra: { notice?: string; error?: string } = {}) => {
    const s = await securitySettings(deps);
    return c.html(
      <IpBlocksPage
        csrf={await csrfToken(c, deps)}
        blocks={await ipBlocks(deps)}
        rule={{
          failures: s.ipMaxFailures,
          windowMinutes: s.ipWindowMinutes,
          minutes: s.ipBlockMinutes,
          maxMinutes: Math.max(s.ipBlockMinutes, s.ipBlockMaxMinutes),
        }}
        {...extra}
      />,
    );
  };

  formPage(app, admin, "/admin/ip-blocks", {
    render,
    notices: { lifted: "admin.blocks.lifted" },
    action: "/admin/ip-blocks/lift",
    post: async (c, ctx, form) => {
      const address = (form.address ?? "").slice(0, 64);
      const r = await liftBlock(deps, who(c, ctx), address);
      if (r.ok) return c.redirect("/admin/ip-blocks?notice=lifted", 303);
      c.status(404);
      return await render(c, { error: t("admin.blocks.gone") });
    },
  });

  return app;
}
