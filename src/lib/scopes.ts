/**
 * @module What an API key or personal access token may be allowed to do. The key feature grants
 * them, caller resolution checks them, and the OpenAPI document lists them per operation.
 */

export const SCOPES = ["read", "write", "admin"] as const;
export type Scope = typeof SCOPES[number];
