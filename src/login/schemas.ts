/** @module Request bodies of the login, shared by the JSON API and the HTML forms. */
import { z } from "zod";
import { formBoolean } from "../http/validate.ts";

const token = z.string().min(1, "Required.").max(4096);

export const loginBody = z.object({
  username: z.string().trim().min(1, "Enter your username.").max(128),
  password: z.string().min(1, "Enter your password.").max(1024),
  remember_me: formBoolean,
  trusted_device_token: token.optional(),
});

export const codeField = z.string().trim().min(1, "Enter the code from your app.").max(32);

export const totpBody = z.object({
  pending_token: token,
  code: codeField,
  trust_device: formBoolean,
  device_name: z.string().trim().max(64).optional(),
});

export const recoveryBody = z.object({
  pending_token: token,
  recovery_code: z.string().trim().min(1, "Enter a recovery code.").max(64),
});

export const cancelBody = z.object({ pending_token: token });

export const passwordChangeBody = z.object({
  pending_token: token,
  new_password: z.string().min(1, "Enter a new password.").max(1024),
});
