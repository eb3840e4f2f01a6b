import { engineBudgets } from "@/server/sandbox/deadline";
import { currentServerInstance } from "./server-instance";

/** Beyond the engine's own budgets: a loaded host, a database that came back, a slow recording. */
export const RECORD_GRACE_MS = 120_000;

/**
 * When an execution row still running is certainly abandoned: its timeout, plus what the engine
 * may spend around it (load the workspace, kill on timeout, collect and record the files it
 * wrote, its own 10 s margin), plus a grace. The record sweeper ends rows past it as interrupted.
 */
export function executionDeadline(timeoutMs: number, config: { engineCommandTimeoutMs: number; maxProjectSize: number }, now = new Date()): Date {
  const b = engineBudgets(config);
  return new Date(now.getTime() + timeoutMs + b.load + b.kill + b.collect + b.finish + 10_000 + RECORD_GRACE_MS);
}

/** What a new execution row carries for the sweeper (the instance is null outside a server). */
export function executionRecordStamp(timeoutMs: number, config: { engineCommandTimeoutMs: number; maxProjectSize: number }) {
  return { instanceId: currentServerInstance()?.id ?? null, deadlineAt: executionDeadline(timeoutMs, config) };
}
