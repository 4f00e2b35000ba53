/**
 * The systemd unit in docs/operations.md ("Running as a service") is one systemd accepts, with
 * the hardening it claims: `systemd-analyze verify`, and `systemd-analyze security` exposure of
 * 2.0 or lower. Skipped (and said so) where systemd-analyze is missing.
 */
import { assert, assertEquals } from "./assert.ts";

const root = new URL("..", import.meta.url).pathname;

function hasSystemdAnalyze(): boolean {
  try {
    return new Deno.Command("systemd-analyze", { args: ["--version"], stdout: "null" })
      .outputSync().success;
  } catch {
    return false;
  }
}

async function unitFromDocs(): Promise<string> {
  const doc = await Deno.readTextFile(`${root}docs/operations.md`);
  const section = doc.split("\n## Running as a service\n")[1]?.split("\n## ")[0];
  assert(section, "no 'Running as a service' section");
  const unit = section.match(/```ini\n([\s\S]*?)```/)?.[1];
  assert(unit, "no ini block in the section");
  return unit;
}

Deno.test("systemd: the documented unit names hardening settings", async () => {
  const unit = await unitFromDocs();
  for (
    const setting of [
      "NoNewPrivileges=yes",
      "ProtectSystem=strict",
      "ProtectHome=yes",
      "PrivateTmp=yes",
      "CapabilityBoundingSet=",
      "SystemCallFilter=@system-service",
      "LoadCredential=encryption_key:",
      "Environment=ENCRYPTION_KEY_FILE=%d/encryption_key",
    ]
  ) assert(unit.includes(setting), `missing ${setting}`);
});

Deno.test({
  name: "systemd: systemd-analyze verifies the unit and rates its exposure 2.0 or lower",
  ignore: !hasSystemdAnalyze(),
  fn: async () => {
    const dir = await Deno.makeTempDir();
    try {
      // The unit names /usr/local/bin/deno; verify checks that ExecStart is executable.
      const unit = (await unitFromDocs()).replace("/usr/local/bin/deno", Deno.execPath());
      const path = `${dir}/twofold.service`;
      await Deno.writeTextFile(path, unit);
      const verify = await new Deno.Command("systemd-analyze", {
        args: ["verify", path],
        stdout: "piped",
        stderr: "piped",
      }).output();
      const text = new TextDecoder();
      assertEquals(verify.code, 0, text.decode(verify.stderr));
      assertEquals(text.decode(verify.stderr).trim(), "", "verify warned");
      const security = await new Deno.Command("systemd-analyze", {
        args: ["security", "--offline=true", "--threshold=20", "--no-pager", path],
        stdout: "piped",
        stderr: "piped",
      }).output();
      const out = text.decode(security.stdout) + text.decode(security.stderr);
      const level = Number(out.match(/Overall exposure level for twofold\.service: ([\d.]+)/)?.[1]);
      assert(level <= 2.0, `exposure ${level}:\n${out}`);
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
});
