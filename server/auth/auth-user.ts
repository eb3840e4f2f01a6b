// The caller, the same shape whether they came with a session cookie or an API key.
export const API_SCOPES = ["projects:read", "projects:write", "executions:run", "admin"] as const;
export type ApiScope = (typeof API_SCOPES)[number];
export const DEFAULT_KEY_SCOPES: ApiScope[] = ["projects:read", "projects:write", "executions:run"];

export type Role = "user" | "admin";

export interface AuthUser {
  id: number;
  email: string;
  role: Role;
  via: "session" | "api_key";
  scopes: ApiScope[];
  apiKeyId: number | null;
  defaultAiPersonality: string | null;
  /** The person's display name, for pages that greet them (session callers; unset for API keys). */
  name?: string | null;
}

export function sessionScopes(role: Role): ApiScope[] {
  return role === "admin" ? [...API_SCOPES] : [...DEFAULT_KEY_SCOPES];
}

export function asRole(value: string): Role {
  return value === "admin" ? "admin" : "user";
}
