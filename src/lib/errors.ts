/**
 * @module The one table of expected failures: each code has its HTTP status and the message a
 * person sees. Domain code returns these codes as values; the routers map them to responses.
 */

export const ERRORS = {
  validation_failed: { status: 400, message: "Some fields are missing or invalid." },
  invalid_credentials: { status: 401, message: "Invalid username or password." },
  invalid_code: {
    status: 401,
    message: "That code is not valid. Try the next code from your app.",
  },
  invalid_recovery_code: { status: 401, message: "That recovery code is not valid." },
  invalid_pending_token: {
    status: 401,
    message: "Your sign-in has expired or was already used. Please sign in again.",
  },
  unauthorized: { status: 401, message: "You need to sign in." },
  invalid_refresh_token: {
    status: 401,
    message: "This refresh token is invalid, used or expired. Sign in again.",
  },
  reauthentication_required: {
    status: 403,
    message: "Sign in again (password and code) to change your second factor.",
  },
  forbidden: { status: 403, message: "You are not allowed to do that." },
  delegation_disabled: { status: 403, message: "Delegation is turned off on this server." },
  enrollment_not_allowed: {
    status: 403,
    message: "Your organisation does not offer two-factor sign-in for your account.",
  },
  csrf_failed: { status: 403, message: "This form has expired. Reload the page and try again." },
  not_found: { status: 404, message: "Not found." },
  last_authenticator: {
    status: 409,
    message: "This is your only authenticator and your organisation requires two-factor sign-in. " +
      "Add another one or replace it instead.",
  },
  policy_requires_2fa: {
    status: 409,
    message: "Your organisation requires two-factor sign-in, so it cannot be turned off.",
  },
  not_enrolled: { status: 409, message: "Set up an authenticator app first." },
  weak_password: { status: 400, message: "Choose a stronger password." },
  invalid_reset_token: {
    status: 400,
    message: "This reset link is invalid, used or expired. Ask for a new one.",
  },
  api_key_not_allowed: {
    status: 403,
    message: "API keys cannot manage authentication settings. Sign in as a person.",
  },
  recovery_codes_disabled: { status: 403, message: "Recovery codes are turned off here." },
  enrollment_pass_required: {
    status: 403,
    message: "Your second factor was reset. Enter the enrollment pass your administrator gave you.",
  },
  insufficient_scope: { status: 403, message: "This key does not have the scope for that." },
  enrollment_expired: {
    status: 410,
    message: "This setup has expired. Start again to get a new key.",
  },
  // ---- webauthn ----
  invalid_security_key: {
    status: 401,
    message: "That security key or passkey was not accepted. Try again, or use a code.",
  },
  security_keys_disabled: {
    status: 403,
    message: "Security keys are not accepted as a second factor here.",
  },
  passkey_sign_in_disabled: { status: 403, message: "Signing in with a passkey alone is off." },
  fallback_required: {
    status: 409,
    message: "Your organisation asks you to keep an authenticator app (or recovery codes) " +
      "beside your security keys.",
  },
  // ---- end webauthn ----
  request_timeout: {
    status: 408,
    message: "What you sent took too long to arrive. Send it again.",
  },
  payload_too_large: { status: 413, message: "What you sent is too large." },
  too_many_attempts: { status: 429, message: "Too many attempts. Wait a while and try again." },
  internal_error: { status: 500, message: "Something went wrong on our side." },
} as const;

export type ErrorCode = keyof typeof ERRORS;

export type Failure = { ok: false; code: ErrorCode; retryAfterSeconds?: number };

export const fail = (code: ErrorCode, retryAfterSeconds?: number): Failure => ({
  ok: false,
  code,
  ...(retryAfterSeconds === undefined ? {} : { retryAfterSeconds }),
});
