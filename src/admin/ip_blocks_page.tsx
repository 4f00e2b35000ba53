/** @module The admin console's blocked addresses: since, until, failures, last username; lift one. */
import { t, tp } from "../i18n/i18n.ts";
import type { IpBlock } from "../protection/blocks.ts";
import { ActionButton, codeCell, DataTable, when } from "../views/components.tsx";
import { AdminLayout } from "./console_layout.tsx";

export function IpBlocksPage(props: {
  csrf: string;
  blocks: IpBlock[];
  /** The rule, for the explanation: minutes of a first block, the longest block. */
  rule: { minutes: number; maxMinutes: number; failures: number; windowMinutes: number };
  notice?: string;
  error?: string;
}) {
  return (
    <AdminLayout title={t("admin.blocks.title")} page={props} current="blocks" wide>
      <p class="muted">
        {t("admin.blocks.intro", {
          failures: props.rule.failures,
          window: props.rule.windowMinutes,
          minutes: props.rule.minutes,
          max: props.rule.maxMinutes,
        })}
      </p>
      <p id="block-count">{tp("admin.blocks.count", props.blocks.length)}</p>
      <DataTable
        id="ip-blocks"
        label={t("admin.blocks.title")}
        empty={<p id="no-blocks">{t("admin.blocks.none")}</p>}
        columns={[
          [t("admin.col.address"), (b) => codeCell(b.address)],
          [t("admin.blocks.since"), (b) => <td class="nowrap">{when(b.since)}</td>],
          [t("account.col.until"), (b) => <td class="nowrap">{when(b.until)}</td>],
          [t("admin.blocks.failures"), (b) => <td>{b.failures ?? "—"}</td>],
          [t("admin.blocks.last_username"), (b) => <td>{b.lastUsername ?? "—"}</td>],
          [t("admin.blocks.number"), (b) => <td>{b.blocks}</td>],
          [t("account.col.actions"), (b) => (
            <td>
              <ActionButton
                csrf={props.csrf}
                action="/admin/ip-blocks/lift"
                label={t("admin.blocks.lift")}
                fields={{ address: b.address }}
              />
            </td>
          )],
        ]}
        rows={props.blocks}
      />
    </AdminLayout>
  );
}
