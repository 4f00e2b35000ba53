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
  // The time as text, made again only when the millisecond changes (several lines share one).
  let lastMs = NaN;
  let lastTime = "";
  return (level, msg, fields) => {
    if (ORDER[level] < ORDER[min]) return;
    const now = clock.now();
    const ms = now.getTime();
    if (ms !== lastMs) {
      lastTime = JSON.stringify(now.toISOString());
      lastMs = ms;
    }
    const line = lineOf(lastTime, level, msg, fields);
    if (options.allToStderr || level === "error" || level === "warn") sink.err(line);
    else sink.out(line);
  };
}

/**
 * `JSON.stringify({ t, level, msg, ...fields })`, byte for byte, without copying `fields` into a
 * new object (one line per request): the fields' JSON follows the first three keys. Anything
 * but a plain object, or a field named like one of those three (it takes that key's place, as
 * the spread does), takes the general path.
 */
function lineOf(time: string, level: Level, msg: string, fields?: Record<string, unknown>): string {
  const head = `{"t":${time},"level":${JSON.stringify(level)},"msg":${JSON.stringify(msg)}`;
  if (fields === undefined || fields === null) return head + "}";
  const proto = Object.getPrototypeOf(fields);
  if (
    (proto !== Object.prototype && proto !== null) || Object.hasOwn(fields, "toJSON") ||
    Object.hasOwn(fields, "t") || Object.hasOwn(fields, "level") || Object.hasOwn(fields, "msg")
  ) {
    return JSON.stringify({ t: JSON.parse(time), level, msg, ...fields });
  }
  const rest = JSON.stringify(fields);
  return rest === "{}" ? head + "}" : head + "," + rest.slice(1);
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
