import { assert, assertEquals } from "../../tests/assert.ts";
import { fromBase64, fromBase64Url, toBase64, toBase64Url, toHex } from "./encoding.ts";

/** The encoders as they were built from strings before the native ones (the reference). */
const reference = {
  toBase64(bytes: Uint8Array): string {
    let binary = "";
    for (const b of bytes) binary += String.fromCharCode(b);
    return btoa(binary);
  },
  toBase64Url(bytes: Uint8Array): string {
    return reference.toBase64(bytes).replaceAll("+", "-").replaceAll("/", "_").replace(/=+$/, "");
  },
  toHex(bytes: Uint8Array): string {
    return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
  },
};

Deno.test("encoding: base64, base64url and hex as the string-built reference, every length to 70", () => {
  const cases = [new Uint8Array(0), Uint8Array.from({ length: 256 }, (_, i) => i)];
  for (let n = 1; n <= 70; n++) cases.push(crypto.getRandomValues(new Uint8Array(n)));
  for (const bytes of cases) {
    assertEquals(toBase64(bytes), reference.toBase64(bytes));
    assertEquals(toBase64Url(bytes), reference.toBase64Url(bytes));
    assertEquals(toHex(bytes), reference.toHex(bytes));
    assertEquals(fromBase64(toBase64(bytes)), bytes);
    assertEquals(fromBase64Url(toBase64Url(bytes)), bytes);
  }
  // a view into a larger buffer encodes only its own bytes
  const view = Uint8Array.from([1, 2, 3, 250, 251, 252]).subarray(2, 5);
  assertEquals(toHex(view), "03fafb");
  assert(!toBase64Url(crypto.getRandomValues(new Uint8Array(48))).match(/[+/=]/));
});
