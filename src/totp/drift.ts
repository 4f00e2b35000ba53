/**
 * @module Clock drift help: when an authenticator's accepted codes keep landing one step off,
 * the phone's clock is probably off by about one period. Codes two steps off are still refused
 * (the window is one step); this only tells the user before it gets that far.
 */

export const DRIFT_HISTORY = 5;
/** How many of the latest accepted codes must agree before we say anything. */
export const DRIFT_EVIDENCE = 3;

export type Drift = { direction: "behind" | "ahead"; seconds: number } | null;

export function parseOffsets(json: string): number[] {
  try {
    const v = JSON.parse(json);
    return Array.isArray(v) ? v.filter((n): n is number => Number.isInteger(n)) : [];
  } catch {
    return [];
  }
}

/** The offsets after one more accepted code, newest last, bounded in length. */
export function appendOffset(json: string, offset: number): string {
  return JSON.stringify([...parseOffsets(json), offset].slice(-DRIFT_HISTORY));
}

/**
 * A code accepted at offset -1 was made for the previous step: the phone's clock is behind.
 * Says so only when the latest few accepted codes all landed on the same side.
 */
export function detectDrift(offsets: number[], period: number): Drift {
  const latest = offsets.slice(-DRIFT_EVIDENCE);
  if (latest.length < DRIFT_EVIDENCE) return null;
  if (latest.every((o) => o < 0)) return { direction: "behind", seconds: period };
  if (latest.every((o) => o > 0)) return { direction: "ahead", seconds: period };
  return null;
}

export function driftMessage(drift: Drift): string | null {
  if (!drift) return null;
  return `Your phone's clock seems about ${drift.seconds} s ${drift.direction}. ` +
    "Turn on automatic time on the phone, or codes may soon stop working.";
}
