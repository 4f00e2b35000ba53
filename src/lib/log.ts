/** @module Structured logs: one JSON line per event; callers never pass secrets or codes. */

export type Level = "debug" | "info" | "warn" | "error";
export type Logger = (level: Level, msg: string, fields?: Record<string, unknown>) => void;

const ORDER: Record<Level, number> = { debug: 10, info: 20, warn: 30, error: 40 };

/**
 * JSON lines: warnings and errors on stderr, the rest on stdout, or everything on stderr when
 * stdout is a command's own output (the CLI).
 */
export function jsonLogger(
  min: Level,
  clock: { now(): Date },
  options: { allToStderr?: boolean } = {},
): Logger {
  return (level, msg, fields) => {
    if (ORDER[level] < ORDER[min]) return;
    const line = JSON.stringify({ t: clock.now().toISOString(), level, msg, ...fields });
    if (options.allToStderr || level === "error" || level === "warn") console.error(line);
    else console.log(line);
  };
}

export const silentLogger: Logger = () => {};
