/** @module Structured logs: one JSON line per event; callers never pass secrets or codes. */

export type Level = "debug" | "info" | "warn" | "error";
export type Logger = (level: Level, msg: string, fields?: Record<string, unknown>) => void;

/** Where finished lines go: `out` for debug and info, `err` for warnings and errors. */
export type LineSink = { out(line: string): void; err(line: string): void };

const consoleSink: LineSink = {
  out: (line) => console.log(line),
  err: (line) => console.error(line),
};

const ORDER: Record<Level, number> = { debug: 10, info: 20, warn: 30, error: 40 };

/**
 * JSON lines: warnings and errors on stderr, the rest on stdout, or everything on stderr when
 * stdout is a command's own output (the CLI). `sink` defaults to `console`.
 */
export function jsonLogger(
  min: Level,
  clock: { now(): Date },
  options: { allToStderr?: boolean; sink?: LineSink } = {},
): Logger {
  const sink = options.sink ?? consoleSink;
  return (level, msg, fields) => {
    if (ORDER[level] < ORDER[min]) return;
    const line = JSON.stringify({ t: clock.now().toISOString(), level, msg, ...fields });
    if (options.allToStderr || level === "error" || level === "warn") sink.err(line);
    else sink.out(line);
  };
}

export const silentLogger: Logger = () => {};

/**
 * A URL as it may appear in a log. Network URLs keep only scheme, host and port: user info,
 * query (libSQL takes `?authToken=`) and path (webhook URLs often carry their secret there) can
 * all hold credentials. A local `file:` database keeps its path, without any query.
 */
export function urlForLog(url: string): string {
  if (url.startsWith("file:") || url === ":memory:") return url.replace(/\?.*$/s, "");
  try {
    const { protocol, host } = new URL(url);
    return `${protocol}//${host}`;
  } catch {
    return "(unparsable URL)";
  }
}
