/** @module Pages for errors that leave nothing to fill in. */
import { t } from "../i18n/i18n.ts";
import { MessagePage } from "./layout.tsx";

export const csrfFailedPage = () => (
  <MessagePage
    title={t("errors.csrf.title")}
    message={t("error.csrf_failed")}
    link={{ href: "/login", text: t("common.back_to_sign_in") }}
  />
);

export const notFoundPage = () => (
  <MessagePage
    title={t("errors.not_found.title")}
    message={t("errors.not_found.message")}
    link={{ href: "/", text: t("errors.not_found.home") }}
  />
);

export const payloadTooLargePage = () => (
  <MessagePage
    title={t("errors.too_large.title")}
    message={t("error.payload_too_large")}
    link={{ href: "/", text: t("errors.not_found.home") }}
  />
);

export const internalErrorPage = () => (
  <MessagePage title={t("errors.internal.title")} message={t("error.internal_error")} />
);
