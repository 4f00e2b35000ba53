/**
 * @module Where the Deno server's log lines go. Lines for stdout are collected and written
 * together once the current task is done (or at 128 lines): through `console.log`, one line per
 * request cost about 15% of a session check's CPU. Warnings and errors go to stderr at once,
 * after whatever stdout still held, so that the two streams keep their order. `flush()` runs
 * before the process exits (main.ts). Deno only; Workers log through `console`.
 */
import type { LineSink } from "./log.ts";

const MAX_LINES = 128;

export function bufferedStdio(): LineSink & { flush(): void } {
  const encoder = new TextEncoder();
  let lines: string[] = [];
  let scheduled = false;

  const writeAll = (file: { writeSync(p: Uint8Array): number }, text: string) => {
    let bytes = encoder.encode(text);
    while (bytes.length) bytes = bytes.subarray(file.writeSync(bytes));
  };
  const flush = () => {
    scheduled = false;
    if (!lines.length) return;
    const text = lines.join("\n") + "\n";
    lines = [];
    writeAll(Deno.stdout, text);
  };
  return {
    out(line) {
      lines.push(line);
      if (lines.length >= MAX_LINES) flush();
      else if (!scheduled) {
        scheduled = true;
        setTimeout(flush, 0);
      }
    },
    err(line) {
      flush();
      writeAll(Deno.stderr, line + "\n");
    },
    flush,
  };
}
