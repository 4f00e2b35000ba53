/**
 * @module What every part of the benchmark shares: numbers and tables as bench/RESULTS.md writes
 * them, and a part run in a process of its own that hands its results back as JSON.
 */

/** A figure for a table: grouped thousands, at most `digits` decimals; `missing` when there is none. */
export function num(x: number | null | undefined, digits = 1, missing = "–"): string {
  return x === null || x === undefined || !Number.isFinite(x)
    ? missing
    : x.toLocaleString("en-US", { maximumFractionDigits: digits });
}

/** A Markdown table (`deno fmt` aligns it when RESULTS.md is written). */
export function table(head: string[], rows: (string | number)[][]): string {
  const line = (cells: (string | number)[]) => `| ${cells.join(" | ")} |`;
  return [line(head), line(head.map(() => "---")), ...rows.map(line)].join("\n");
}

/**
 * Runs `deno run -A bench/<script>.ts ARGS --json FILE` from the repository, with its output on
 * ours, and returns what it wrote to FILE. `label`, when given, announces the command.
 */
export async function runJsonScript<T>(script: string, args: string[], label?: string): Promise<T> {
  const json = await Deno.makeTempFile({ prefix: `twofold-${script}-`, suffix: ".json" });
  try {
    const cmd = ["run", "-A", `bench/${script}.ts`, ...args, "--json", json];
    if (label) console.log(`== ${label}: deno ${cmd.join(" ")}`);
    const status = await new Deno.Command(Deno.execPath(), {
      args: cmd,
      cwd: new URL("..", import.meta.url).pathname,
      stdout: "inherit",
      stderr: "inherit",
    }).spawn().status;
    if (!status.success) throw new Error(`bench/${script}.ts failed (${status.code})`);
    return JSON.parse(await Deno.readTextFile(json));
  } finally {
    await Deno.remove(json).catch(() => {});
  }
}

/** A reader of whole-number options for a part's command line: a wrong one fails with `usage`. */
export function integerOption(usage: string) {
  return (name: string, v: string | undefined, min: number, max: number): number => {
    const n = Number(v);
    if (!Number.isInteger(n) || n < min || n > max) {
      throw new Error(`${name} must be an integer from ${min} to ${max}\n${usage}`);
    }
    return n;
  };
}
