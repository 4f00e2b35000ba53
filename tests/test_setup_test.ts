/**
 * tools/test_setup.sh, the first step of `deno task test`: with everything present it does
 * nothing; with a tool missing and no way to install it, it stops at once with one line that
 * names the command to run.
 */
import { assert, assertEquals, assertStringIncludes } from "./assert.ts";

const SCRIPT = new URL("../tools/test_setup.sh", import.meta.url).pathname;

async function run(script: string, asNobody: boolean) {
  const args = asNobody
    ? ["--reuid=65534", "--regid=65534", "--clear-groups", "bash", script]
    : [script];
  const out = await new Deno.Command(asNobody ? "setpriv" : "bash", {
    args,
    env: { PATH: "/usr/local/bin:/usr/bin:/bin" },
    clearEnv: true,
    stdout: "piped",
    stderr: "piped",
  }).output();
  return {
    code: out.code,
    stdout: new TextDecoder().decode(out.stdout),
    stderr: new TextDecoder().decode(out.stderr),
  };
}

Deno.test("test setup: every tool present, nothing to do", async () => {
  const r = await run(SCRIPT, false);
  assertEquals(r.code, 0, r.stderr);
  assertEquals(r.stderr, "");
});

Deno.test({
  name: "test setup: a missing tool without root stops with one line naming the command",
  ignore: Deno.uid() !== 0 || !hasCommand("setpriv"),
  fn: async () => {
    const dir = await Deno.makeTempDir();
    try {
      const source = await Deno.readTextFile(SCRIPT);
      const edited = source.replace(
        "oathtool oathtool\n",
        "oathtool oathtool\ntwofold-no-such-tool twofold-no-such-package\n",
      );
      assert(edited !== source);
      const script = `${dir}/test_setup.sh`;
      await Deno.writeTextFile(script, edited);
      await Deno.chmod(dir, 0o755);
      await Deno.chmod(script, 0o755);
      const r = await run(script, true);
      assertEquals(r.code, 1);
      assertEquals(r.stdout, "");
      const lines = r.stderr.trim().split("\n");
      assertEquals(lines.length, 1, r.stderr);
      assertStringIncludes(
        lines[0],
        "apt-get install -y --no-install-recommends twofold-no-such-package",
      );
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
});

function hasCommand(name: string): boolean {
  try {
    return new Deno.Command("sh", { args: ["-c", `command -v ${name}`], stdout: "null" })
      .outputSync().success;
  } catch {
    return false;
  }
}
