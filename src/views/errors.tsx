/** @module Pages for errors that leave nothing to fill in. */
import { type MessageKey, t } from "../i18n/i18n.ts";
import { MessagePage } from "./layout.tsx";

/** An error page: its title, its message and one link onwards. */
const errorPage =
  (title: MessageKey, message: MessageKey, href: string, linkText: MessageKey) => () => (
    <MessagePage title={t(title)} message={t(message)} link={{ href, text: t(linkText) }} />
  );

export const csrfFailedPage = errorPage(
  "errors.csrf.title",
  "error.csrf_failed",
  "/login",
  "common.back_to_sign_in",
);

export const notFoundPage = errorPage(
  "errors.not_found.title",
  "errors.not_found.message",
  "/",
  "errors.not_found.home",
);

export const payloadTooLargePage = errorPage(
  "errors.too_large.title",
  "error.payload_too_large",
  "/",
  "errors.not_found.home",
);

export const requestTimeoutPage = errorPage(
  "errors.timeout.title",
  "error.request_timeout",
  "/",
  "errors.not_found.home",
);

export const internalErrorPage = () => (
  <MessagePage title={t("errors.internal.title")} message={t("error.internal_error")} />
);
