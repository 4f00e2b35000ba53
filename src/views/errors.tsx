/** @module Pages for errors that leave nothing to fill in. */
import { ERRORS } from "../lib/errors.ts";
import { MessagePage } from "./layout.tsx";

export const csrfFailedPage = () => (
  <MessagePage
    title="Form expired"
    message={ERRORS.csrf_failed.message}
    link={{ href: "/login", text: "Back to sign in" }}
  />
);

export const notFoundPage = () => (
  <MessagePage
    title="Not found"
    message="There is no page here."
    link={{ href: "/", text: "Home" }}
  />
);

export const internalErrorPage = () => (
  <MessagePage title="Something went wrong" message={ERRORS.internal_error.message} />
);
