/**
 * @module Blocked client addresses for admins: the list (since, until, failures, the last
 * username tried, how many blocks so far) and lifting one, audited with the admin's identity.
 */
import { audit } from "../audit/repo.ts";
import type { Deps } from "../deps.ts";
import type { RequestMeta } from "../http/client.ts";
import { fail, type Failure } from "../lib/errors.ts";
import { rateLimitKey } from "../lib/ip.ts";
import type { SessionContext } from "../sessions/service.ts";
import { type IpBlockRow, liftIpBlock, listIpBlocks } from "./repo.ts";

export type IpBlock = {
  /** The address, or an IPv6 /64 (blocks hold per /64). */
  address: string;
  since: number | null;
  until: number;
  failures: number | null;
  lastUsername: string | null;
  /** Blocks that still count towards the next one's length, this one included. */
  blocks: number;
};

const view = (r: IpBlockRow): IpBlock => ({
  address: r.key,
  since: r.blockedAt,
  until: r.blockedUntil!,
  failures: r.blockedFailures,
  lastUsername: r.lastUsername,
  blocks: r.blockCount,
});

export async function ipBlocks(deps: Deps): Promise<IpBlock[]> {
  return (await listIpBlocks(deps.db, deps.clock.now())).map(view);
}

/**
 * Lifts the block on `address`: as listed (an IPv6 /64 too), or any address inside it. Its
 * failures and past blocks are forgiven. `not_found` when it is not blocked.
 */
export async function liftBlock(
  deps: Deps,
  actor: { ctx: SessionContext; meta: RequestMeta },
  address: string,
): Promise<{ ok: true; block: IpBlock } | Failure> {
  const now = deps.clock.now();
  const typed = address.trim();
  let lifted = await liftIpBlock(deps.db, typed, now);
  if (!lifted) {
    const key = rateLimitKey(typed);
    if (key !== "unknown" && key !== typed) lifted = await liftIpBlock(deps.db, key, now);
  }
  if (!lifted) return fail("not_found");
  const block = view(lifted);
  await audit(deps.db, {
    event: "admin.ip_unblock",
    outcome: "success",
    ...actor.meta,
    detail: {
      admin: actor.ctx.user.username,
      admin_id: actor.ctx.user.id,
      key: block.address,
      until: new Date(block.until).toISOString(),
      blocks: block.blocks,
    },
  }, now);
  return { ok: true, block };
}
