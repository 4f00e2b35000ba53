/** @module The trusted-devices table, shown on the account page and on the admin's user page. */
import type { Child } from "hono/jsx";
import { t } from "../i18n/i18n.ts";
import { DataTable, when } from "../views/components.tsx";
import type { TrustedDeviceRow } from "./repo.ts";

/** Trusted devices, under their heading: `name` draws the first cell (a row heading or a cell), `action` the last. */
export function DevicesTable(props: {
  devices: TrustedDeviceRow[];
  empty: Child;
  name: (device: TrustedDeviceRow) => Child;
  action: (device: TrustedDeviceRow) => Child;
}) {
  return (
    <DataTable
      id="devices"
      label={t("account.devices")}
      heading
      columns={[
        [t("account.col.device"), props.name],
        [t("account.col.trusted_since"), (d) => <td>{when(d.createdAt)}</td>],
        [t("account.col.last_used"), (d) => <td>{when(d.lastUsedAt)}</td>],
        [t("account.col.until"), (d) => <td>{when(d.expiresAt)}</td>],
        [t("account.col.actions"), (d) => <td>{props.action(d)}</td>],
      ]}
      rows={props.devices}
      empty={props.empty}
    />
  );
}
