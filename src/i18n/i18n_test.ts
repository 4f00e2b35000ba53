import { assert, assertEquals, assertMaps, assertNotEquals } from "../../tests/assert.ts";
import { ERRORS } from "../lib/errors.ts";
import { checkPassword, DEFAULT_PASSWORD_POLICY } from "../passwords/policy.ts";
import { en, type MessageKey } from "./en.ts";
import {
  catalogues,
  LOCALES,
  localize,
  missing,
  negotiateLocale,
  runWithLocale,
  t,
  tj,
  tp,
  untranslated,
} from "./i18n.ts";

const placeholders = (text: string) => [...text.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort();

Deno.test("negotiateLocale() honours q-values, regions and q=0", () => {
  assertMaps(negotiateLocale, [
    [undefined, "en"],
    ["", "en"],
    ["fr-CH, fr;q=0.9, en;q=0.8, de;q=0.7, *;q=0.5", "fr"],
    ["en;q=0.5, de", "de"],
    ["de-AT;q=0.9,fr;q=0.95", "fr"],
    ["it, es;q=0.9, de;q=0.1", "de"],
    ["fr;q=0, de;q=0.2", "de"],
    ["it, *;q=0.5, fr;q=0.4", "en"],
    ["ja, zh", "en"],
    ["FR-be", "fr"],
    ["de;q=abc, fr;q=0.3", "fr"],
    // Equal weights keep the header's order.
    ["de;q=0.8, fr;q=0.8", "de"],
  ]);
});

Deno.test("every catalogue has the English keys, none empty, with the same placeholders", () => {
  for (const locale of LOCALES) {
    const catalogue: Record<string, string> = catalogues[locale];
    assertEquals(Object.keys(catalogue).sort(), Object.keys(en).sort(), locale);
    for (const [key, text] of Object.entries(catalogue)) {
      assert(text.trim() !== "", `${locale} ${key} is empty`);
      assertEquals(placeholders(text), placeholders(en[key as MessageKey]), `${locale} ${key}`);
    }
  }
});

Deno.test("t() translates and fills placeholders; an unknown key shows the sentinel", () => {
  assertEquals(t("login.title"), "Sign in");
  assertEquals(runWithLocale("fr", () => t("login.title")), "Connexion");
  assertEquals(runWithLocale("de", () => t("login.title")), "Anmelden");
  assertEquals(runWithLocale("de", () => t("admin.user.title", { name: "bob" })), "Benutzer bob");
  assertEquals(t("nope.nothing" as MessageKey), missing("nope.nothing"));
  assertEquals(missing("nope.nothing"), "⟦missing:nope.nothing⟧");
});

Deno.test("tp() picks the plural form of the language", () => {
  assertEquals(tp("admin.users.count", 1), "1 user");
  assertEquals(tp("admin.users.count", 0), "0 users");
  // French counts 0 as singular.
  assertEquals(runWithLocale("fr", () => tp("admin.users.count", 0)), "0\u00a0utilisateur");
  assertEquals(runWithLocale("fr", () => tp("admin.users.count", 2)), "2\u00a0utilisateurs");
  assertEquals(
    runWithLocale("de", () => tp("admin.audit.count", 1)),
    "1 Ereignis, das neueste zuerst.",
  );
});

Deno.test("tj() keeps elements in their placeholders", () => {
  const strong = { tag: "strong" };
  const parts = runWithLocale("fr", () => tj("account.signed_in", { name: strong as never }));
  assertEquals(parts, ["Connecté en tant que ", strong, "."]);
});

Deno.test("localize() translates English handed over by routes, by its text", () => {
  assertEquals(localize(ERRORS.invalid_code.message), ERRORS.invalid_code.message);
  runWithLocale("fr", () => {
    assertEquals(localize("Enter your username."), "Saisissez votre nom d'utilisateur.");
    assertEquals(localize("Use at least 16 characters."), "Utilisez au moins 16\u00a0caractères.");
    assertEquals(
      localize('"10.0.0.300/8" is not a CIDR range (like 10.0.0.0/8).'),
      "«\u00a010.0.0.300/8\u00a0» n'est pas une plage CIDR (comme 10.0.0.0/8).",
    );
    // A placeholder named message holds another message.
    assertEquals(
      localize('"abc": Use at most 64 characters per name.'),
      "«\u00a0abc\u00a0»\u00a0: Utilisez au plus 64\u00a0caractères par nom.",
    );
    // Several sentences joined by spaces, each from the catalogue.
    assertEquals(
      localize("Use at least 12 characters. Do not put your username in your password."),
      "Utilisez au moins 12\u00a0caractères. " +
        "N'incluez pas votre nom d'utilisateur dans votre mot de passe.",
    );
    untranslated.clear();
    assertEquals(localize("alice"), "alice");
    assert(untranslated.has("alice"), "unknown text is not noted");
    untranslated.clear();
  });
});

Deno.test("every message of the error table has its entry, translated", () => {
  for (const [code, { message }] of Object.entries(ERRORS)) {
    const key = `error.${code}` as MessageKey;
    assertEquals(en[key], message, key);
    for (const locale of ["fr", "de"] as const) {
      const text = runWithLocale(locale, () => localize(message));
      assertNotEquals(text, message, `${locale} ${code}`);
      assertEquals(text, catalogues[locale][key]);
    }
  }
});

Deno.test("every password-policy problem is translated", async () => {
  const policy = { ...DEFAULT_PASSWORD_POLICY, minLength: 20, minClasses: 4 };
  const problems = [
    ...await checkPassword(policy, "password", "alice"),
    ...await checkPassword(policy, "alice-alice", "alice"),
    ...await checkPassword(policy, "x".repeat(1100), "alice"),
  ];
  assertEquals(new Set(problems).size, 5, problems.join(" | "));
  for (const locale of ["fr", "de"] as const) {
    untranslated.clear();
    runWithLocale(locale, () => {
      for (const p of problems) assertNotEquals(localize(p), p, `${locale}: ${p}`);
      assertNotEquals(localize(problems.join(" ")), problems.join(" "));
    });
    assertEquals([...untranslated], []);
  }
});
