/**
 * @module The few assertions the tests use. JSR (where @std/assert lives) is not reachable from
 * our machines, so these are kept here, small and strict.
 */
import { isDeepStrictEqual } from "node:util";

export class AssertionError extends Error {}

export function assert(condition: unknown, message = "expected a truthy value"): asserts condition {
  if (!condition) throw new AssertionError(message);
}

export function assertFalse(condition: unknown, message = "expected a falsy value"): void {
  if (condition) throw new AssertionError(message);
}

export function assertEquals<T>(
  actual: unknown,
  expected: T,
  message?: string,
): asserts actual is T {
  if (!isDeepStrictEqual(actual, expected)) {
    throw new AssertionError(
      `${message ? message + ": " : ""}values differ\nactual:   ${show(actual)}\nexpected: ${
        show(expected)
      }`,
    );
  }
}

/** A table of cases: `fn(input)` equals `expected` for each `[input, expected]`. */
export function assertMaps<I, O>(fn: (input: I) => O, cases: [input: I, expected: O][]): void {
  for (const [input, expected] of cases) assertEquals(fn(input), expected, show(input));
}

export function assertNotEquals(actual: unknown, expected: unknown, message?: string): void {
  if (isDeepStrictEqual(actual, expected)) {
    throw new AssertionError(`${message ? message + ": " : ""}values are equal: ${show(actual)}`);
  }
}

export function assertMatch(actual: string, pattern: RegExp, message?: string): void {
  if (!pattern.test(actual)) {
    throw new AssertionError(
      `${message ? message + ": " : ""}${show(actual.slice(0, 500))} does not match ${pattern}`,
    );
  }
}

export function assertStringIncludes(actual: string, expected: string, message?: string): void {
  if (!actual.includes(expected)) {
    throw new AssertionError(
      `${message ? message + ": " : ""}expected to find ${show(expected)} in ${
        show(actual.slice(0, 800))
      }`,
    );
  }
}

export async function assertRejects(fn: () => Promise<unknown>, message?: string): Promise<Error> {
  try {
    await fn();
  } catch (e) {
    return e as Error;
  }
  throw new AssertionError(message ?? "expected the promise to reject");
}

export function assertThrows(fn: () => unknown, message?: string): Error {
  try {
    fn();
  } catch (e) {
    return e as Error;
  }
  throw new AssertionError(message ?? "expected the call to throw");
}

function show(v: unknown): string {
  try {
    return JSON.stringify(v, (_k, x) => (x instanceof Uint8Array ? Array.from(x) : x));
  } catch {
    return String(v);
  }
}
