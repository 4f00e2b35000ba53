import { assert, assertEquals, assertMatch } from "../tests/assert.ts";

/** Runs bench/step_cost.ts as a program would, small. */
async function stepCost(args: string[]) {
  const out = await new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      "-A",
      `--lock=${new URL("../tests/deno.lock", import.meta.url).pathname}`,
      new URL("./step_cost.ts", import.meta.url).pathname,
      ...args,
    ],
    stdout: "piped",
    stderr: "piped",
  }).output();
  return {
    code: out.code,
    stdout: new TextDecoder().decode(out.stdout),
    stderr: new TextDecoder().decode(out.stderr),
  };
}

Deno.test("step_cost.ts: every timed step signs in, and it reports CPU per step and a profile of one round", async () => {
  const dir = await Deno.makeTempDir();
  const prof = `${dir}/steps.cpuprofile`;
  const r = await stepCost(["--users", "12", "--rounds", "2", "--cpu-prof", prof, "--marks"]);
  assertEquals(r.code, 0, r.stderr);
  const rounds = r.stdout.split("\n").filter((l) => l.startsWith("round "));
  assertEquals(rounds.length, 3, r.stdout);
  for (const line of rounds) assertMatch(line, /µs\/step process, \d+ main, \d+\/s, errors 0$/);
  assertMatch(r.stdout, /median: \d+ µs\/step process, \d+ main, \d+\/s, peak RSS \d+ kB/);
  assertEquals(r.stdout.split("\n").filter((l) => l === "timed start").length, 3);
  const profile = JSON.parse(await Deno.readTextFile(prof));
  assert(profile.samples.length > 0 && profile.nodes.length > 0);
  await Deno.remove(dir, { recursive: true });
});

Deno.test("step_cost.ts: an unknown argument is refused", async () => {
  const r = await stepCost(["--nope", "1"]);
  assert(r.code !== 0);
  assertMatch(r.stderr, /unknown argument --nope/);
});
