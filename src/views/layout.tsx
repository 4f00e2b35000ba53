/** @module The one page layout and the small form pieces every page shares. */
import type { Child } from "hono/jsx";
import { raw } from "hono/html";
import { CSRF_FIELD } from "../http/csrf.ts";

export function Layout(
  props: {
    title: string;
    children: Child;
    signedIn?: boolean;
    csrf?: string;
    wide?: boolean;
    /** Links shown in the header between the brand and "Log out" (the admin console's). */
    nav?: Child;
  },
) {
  return (
    <>
      {raw("<!doctype html>")}
      <html lang="en">
        <head>
          <meta charset="utf-8" />
          <meta name="viewport" content="width=device-width, initial-scale=1" />
          <meta name="color-scheme" content="light dark" />
          <title>{`${props.title} · twofold`}</title>
          <link rel="stylesheet" href="/assets/app.css" />
        </head>
        <body>
          <header class="top">
            <a class="brand" href="/">twofold</a>
            {props.nav ?? null}
            {props.signedIn && props.csrf
              ? (
                <form method="post" action="/logout" class="inline">
                  <CsrfField token={props.csrf} />
                  <button type="submit" class="link">Log out</button>
                </form>
              )
              : null}
          </header>
          <main id="main" class={props.wide ? "wide" : undefined}>
            <h1>{props.title}</h1>
            {props.children}
          </main>
        </body>
      </html>
    </>
  );
}

export function CsrfField(props: { token: string }) {
  return <input type="hidden" name={CSRF_FIELD} value={props.token} />;
}

/** An error announced to screen readers, tied to its field by id. */
export function ErrorText(props: { id: string; message?: string }) {
  return props.message ? <p class="error" id={props.id} role="alert">{props.message}</p> : null;
}

export function MessagePage(
  props: { title: string; message: string; link?: { href: string; text: string } },
) {
  return (
    <Layout title={props.title}>
      <p>{props.message}</p>
      {props.link
        ? (
          <p>
            <a href={props.link.href}>{props.link.text}</a>
          </p>
        )
        : null}
    </Layout>
  );
}
