/**
 * @module The request's delegation, for the layout's banner: set once per request by the
 * delegation middleware (src/delegation/middleware.ts) in an AsyncLocalStorage, as the language
 * is, so that every page shows "acting as" without each route passing it down.
 */
import { AsyncLocalStorage } from "node:async_hooks";

export type Delegation = { username: string; admin: string };

const storage = new AsyncLocalStorage<Delegation | undefined>();

export function runWithDelegation<T>(d: Delegation | undefined, fn: () => T): T {
  return storage.run(d, fn);
}

/** The delegation of the request being rendered, if its session is one. */
export function currentDelegation(): Delegation | undefined {
  return storage.getStore();
}
