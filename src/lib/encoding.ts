/** @module Byte encodings used across the code: base64url, base64, hex. */

/** The native encoders (Deno 2.9, recent workerd); where absent, the string-built ones below. */
type NativeEncoders = {
  toBase64(options?: { alphabet?: "base64" | "base64url"; omitPadding?: boolean }): string;
  toHex(): string;
};
const native = typeof (Uint8Array.prototype as Partial<NativeEncoders>).toBase64 === "function" &&
  typeof (Uint8Array.prototype as Partial<NativeEncoders>).toHex === "function";

export function toBase64Url(bytes: Uint8Array): string {
  if (native) {
    return (bytes as Uint8Array & NativeEncoders).toBase64({
      alphabet: "base64url",
      omitPadding: true,
    });
  }
  return toBase64(bytes).replaceAll("+", "-").replaceAll("/", "_").replace(/=+$/, "");
}

export function fromBase64Url(text: string): Uint8Array {
  const b64 = text.replaceAll("-", "+").replaceAll("_", "/");
  return fromBase64(b64 + "=".repeat((4 - (b64.length % 4)) % 4));
}

export function toBase64(bytes: Uint8Array): string {
  if (native) return (bytes as Uint8Array & NativeEncoders).toBase64();
  let binary = "";
  for (const b of bytes) binary += String.fromCharCode(b);
  return btoa(binary);
}

export function fromBase64(text: string): Uint8Array {
  const binary = atob(text);
  const out = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) out[i] = binary.charCodeAt(i);
  return out;
}

export function toHex(bytes: Uint8Array): string {
  if (native) return (bytes as Uint8Array & NativeEncoders).toHex();
  return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
}

export const utf8 = new TextEncoder();
