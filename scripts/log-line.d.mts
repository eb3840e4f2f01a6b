import type { Readable, Writable } from "node:stream";

export function logLine(action: string, opts?: { level?: "debug" | "info" | "warn" | "error"; component?: string; now?: Date }): string;
export function isLogLine(text: string): boolean;
export function pipeAsLogLines(stream: Readable, out: Writable, opts: { component: string; level?: "debug" | "info" | "warn" | "error" }): Promise<void>;
