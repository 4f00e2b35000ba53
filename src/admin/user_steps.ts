/**
 * @module The one-step actions an admin takes on a user, done alike by the JSON API
 * (./routes.tsx, one route each) and by the console's confirmed buttons (./console_routes.tsx,
 * `POST /admin/users/:id/<action>`): the same call, keyed by the console's action name.
 */
import type { Deps } from "../deps.ts";
import type { Failure } from "../lib/errors.ts";
import {
  disableTwofaByAdmin,
  endUserSessions,
  setTwofaRequired,
  unlockUser,
  updateUserByAdmin,
} from "./service.ts";

/** The admin who acts: their session and the request's client data (for the audit). */
type Admin = Parameters<typeof unlockUser>[1];

export type UserStep = (deps: Deps, admin: Admin, id: string) => Promise<{ ok: true } | Failure>;

export const USER_STEPS = {
  "require-2fa": (deps, admin, id) => setTwofaRequired(deps, admin, id, true),
  "unrequire-2fa": (deps, admin, id) => setTwofaRequired(deps, admin, id, false),
  "disable-2fa": disableTwofaByAdmin,
  unlock: unlockUser,
  "end-sessions": endUserSessions,
  disable: (deps, admin, id) => updateUserByAdmin(deps, admin, id, { disabled: true }),
  enable: (deps, admin, id) => updateUserByAdmin(deps, admin, id, { disabled: false }),
} satisfies Record<string, UserStep>;

export type UserStepName = keyof typeof USER_STEPS;

export const isUserStep = (action: string): action is UserStepName =>
  Object.hasOwn(USER_STEPS, action);
