import { assert, assertEquals, assertStringIncludes } from "../../tests/assert.ts";
import { LOCALES } from "../i18n/i18n.ts";
import { composeNotice, composeResetMail, type MailFacts, NOTICE_KINDS } from "./compose.ts";

const facts: MailFacts = {
  issuer: "Acme <Login>",
  name: "Alice & Bob",
  username: "alice",
  at: new Date("2026-11-22T12:00:00Z"),
  ip: "203.0.113.9",
  device: "Firefox on Linux",
};
const notMe = { url: "https://login.example.test/not-me?token=x&lang=en", expiresAt: facts.at };

Deno.test("composeNotice(): every kind in every language, text and HTML, nothing missing", () => {
  for (const locale of LOCALES) {
    for (const kind of NOTICE_KINDS) {
      const m = composeNotice(locale, kind, facts, {
        params: { label: "Phone", remaining: 3, until: "later" },
        notMe,
      });
      for (const part of [m.subject, m.text, m.html]) {
        assert(!part.includes("⟦missing"), `${locale} ${kind}: ${part}`);
        assert(!/\{\w+\}/.test(part), `${locale} ${kind}: a placeholder left in ${part}`);
      }
      assertStringIncludes(m.subject, "Acme <Login>");
      assertStringIncludes(m.text, "203.0.113.9");
      assertStringIncludes(m.text, notMe.url);
      assertStringIncludes(m.html, "Acme &lt;Login&gt;");
    }
  }
});

Deno.test("composeNotice(): user-chosen text (an authenticator's label) is escaped in HTML", () => {
  const m = composeNotice("en", "factor_added", facts, {
    params: { label: '<img src=x onerror="alert(1)">' },
    notMe,
  });
  assert(!m.html.includes("<img"), m.html);
  assertStringIncludes(m.html, "&lt;img src=x onerror=&quot;alert(1)&quot;&gt;");
  assertStringIncludes(m.html, 'href="https://login.example.test/not-me?token=x&amp;lang=en"');
});

Deno.test("composeResetMail(): the link and until when it works, in the user's language", () => {
  const m = composeResetMail("de", facts, {
    url: "https://login.example.test/password/reset?token=abc",
    expiresAt: new Date("2026-11-22T13:00:00Z"),
  });
  assertEquals(m.subject, "Acme <Login>: Passwort zurücksetzen");
  assertStringIncludes(m.text, "https://login.example.test/password/reset?token=abc");
  assertStringIncludes(m.text, "22. November 2026 um 13:00 UTC");
});
