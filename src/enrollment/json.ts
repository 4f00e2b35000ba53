/** @module An enrollment as the JSON API shows it (`/api/v1/enrollments`, `/api/v1/me/authenticators`). */
import type { EnrollmentView } from "./flow.ts";

export function enrollmentJson(
  v: Pick<EnrollmentView, "enrollmentId" | "secret" | "otpauthUri" | "qrSvg" | "expiresAt">,
) {
  return {
    enrollment_id: v.enrollmentId,
    secret: v.secret,
    otpauth_uri: v.otpauthUri,
    qr_svg: v.qrSvg,
    expires_at: v.expiresAt.toISOString(),
  };
}
