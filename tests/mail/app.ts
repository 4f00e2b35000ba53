/** @module An app whose mail goes to a test SMTP server, and users with addresses. */
import { eq } from "drizzle-orm";
import { users } from "../../src/db/schema.ts";
import { smtpMailer } from "../../src/mail/smtp.ts";
import { addUser, testApp, type TestEnv } from "../helpers.ts";

export const FROM = "Twofold <twofold@example.test>";

/** An app whose mail leaves through the SMTP server at `smtpUrl`. */
export async function mailApp(
  smtpUrl: string,
  env: Record<string, string> = {},
): Promise<TestEnv> {
  const app = await testApp({
    SMTP_URL: smtpUrl,
    MAIL_FROM: FROM,
    PUBLIC_URL: "https://login.example.test",
    ISSUER: "Example Co",
    ...env,
  });
  app.deps.mailer = await smtpMailer(app.deps.config);
  return app;
}

export async function userWithEmail(
  env: TestEnv,
  username = "alice",
  email = `${username}@example.test`,
  locale: string | null = null,
) {
  const user = await addUser(env, username);
  await env.deps.db.update(users).set({ email, locale }).where(eq(users.id, user.id));
  return { ...user, email, locale };
}
