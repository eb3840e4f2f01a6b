import { randomBytes } from "node:crypto";
import { z } from "zod";
import { agentSocketPossible, defaultAgentSocketBase } from "./agent/agent-socket";

const KiB = 1024;
const MiB = 1024 * KiB;

/** Directories and files never synced back to the store (matched per path segment). */
export const DEFAULT_SYNC_IGNORE = [
  "node_modules",
  ".git",
  "dist",
  "build",
  ".next",
  "coverage",
  "__pycache__",
  ".venv",
  "venv",
  ".pytest_cache",
  ".mypy_cache",
  ".cache",
  ".npm",
  ".DS_Store",
] as const;

export const IMAGE_KINDS = ["node", "python"] as const;
export type ImageKind = (typeof IMAGE_KINDS)[number];

/**
 * Everything the engine needs, passed in by the caller (the lead maps lib/env onto it):
 * the engine never reads process.env. Each number has a hard ceiling; a value above it
 * fails validation instead of being clamped.
 */
export const EngineConfigSchema = z
  .object({
    /** Labels every container; a fresh id per process so the boot reaper can tell ours from a previous run's. */
    instanceId: z
      .string()
      .regex(/^[a-z0-9][a-z0-9-]{3,39}$/)
      .default(() => `i-${randomBytes(5).toString("hex")}`),
    runtime: z.enum(["runc", "runsc"]).default("runc"),
    /** Label value shared by every engine of one deployment; the boot reaper never touches another scope. */
    scope: z
      .string()
      .regex(/^[a-z0-9][a-z0-9-]{0,39}$/)
      .default("default"),
    /** Image tags are `${registry}/${kind}:latest` (SANDBOX_CONTAINER_REGISTRY). */
    registry: z
      .string()
      .regex(/^[a-z0-9][a-z0-9._\-/:]*$/)
      .default("pantheon-sandbox"),
    /** Explicit image per kind; overrides registry (tests, custom images). */
    images: z.partialRecord(z.enum(IMAGE_KINDS), z.string().min(1)).default({}),
    /** Which pools are kept warm; others are created on demand. */
    warmImages: z.array(z.enum(IMAGE_KINDS)).default(["node", "python"]),
    poolSizePerImage: z.number().int().min(0).max(50).default(10),
    maxConcurrent: z.number().int().min(1).max(500).default(50),
    maxIdleTimeMs: z
      .number()
      .int()
      .min(1_000)
      .max(24 * 3600_000)
      .default(5 * 60_000),
    /**
     * A container with no user action (execution, file write, process start, input to a process)
     * for this long is released even while its processes still print: output alone never keeps
     * one past it (SANDBOX_MAX_UNATTENDED_TIME).
     */
    maxUnattendedMs: z
      .number()
      .int()
      .min(1_000)
      .max(7 * 24 * 3600_000)
      .default(3600_000),
    defaultTimeoutMs: z.number().int().min(100).max(3600_000).default(30_000),
    /**
     * Base budget of the engine's own commands in a container (load, finish, kill...; see
     * deadline.ts): one that outlives its budget means the container is lost and is killed.
     */
    engineCommandTimeoutMs: z.number().int().min(1_000).max(600_000).default(20_000),
    /** Requests above this are refused (BAD_REQUEST), never clamped. */
    maxTimeoutMs: z.number().int().min(100).max(3600_000).default(300_000),
    maxFileSize: z
      .number()
      .int()
      .min(1)
      .max(50 * MiB)
      .default(1 * MiB),
    maxProjectSize: z
      .number()
      .int()
      .min(1)
      .max(2048 * MiB)
      .default(100 * MiB),
    /** Kept output per stream (stdout, stderr) of an execution: its head and tail; the middle is cut with a marker and `truncated` set. */
    maxOutputBytes: z
      .number()
      .int()
      .min(1 * KiB)
      .max(64 * MiB)
      .default(1 * MiB),
    /** Binary files come back base64-encoded with an encoding flag, or are refused explicitly. */
    binaryFiles: z.enum(["base64", "refuse"]).default("base64"),
    syncIgnore: z.array(z.string().min(1)).default([...DEFAULT_SYNC_IGNORE]),
    /** Handed to the container spec builder (security/); opaque to the engine. */
    limits: z.record(z.string(), z.unknown()).optional(),
    seccompProfile: z.string().optional(),
    apparmorProfile: z.string().nullable().optional(),
    /** Remove containers labelled by other instances at boot (one engine per Docker host). */
    reapOtherInstances: z.boolean().default(true),
    /** Run the runtime posture check at start and refuse to serve if it fails. */
    postureCheck: z.boolean().default(true),
    /**
     * Base of the per-container directories where the engine listens for its agents (runc only;
     * agent/agent-socket.ts); null: every call goes over the agent's exec stream.
     */
    agentSocketDir: z
      .string()
      // Short (a socket path holds 108 bytes) and plain (it is a bind's source, `src:dst:ro`).
      .regex(/^\/[A-Za-z0-9._/-]{0,59}$/)
      .nullable()
      .default(() => defaultAgentSocketBase()),
    /**
     * A command with no shell syntax starts as argv, without `bash -c`, when the agent offers it
     * (plain-command.ts); false: every command goes through bash (the benchmarks compare both).
     */
    plainCommands: z.boolean().default(true),
    retryInitialMs: z.number().int().min(10).max(60_000).default(500),
    retryMaxMs: z.number().int().min(100).max(600_000).default(30_000),
  })
  .refine((c) => c.defaultTimeoutMs <= c.maxTimeoutMs, {
    message: "defaultTimeoutMs must not exceed maxTimeoutMs",
    path: ["defaultTimeoutMs"],
  })
  .refine((c) => c.maxFileSize <= c.maxProjectSize, {
    message: "maxFileSize must not exceed maxProjectSize",
    path: ["maxFileSize"],
  });

export type EngineConfigInput = z.input<typeof EngineConfigSchema>;
export type EngineConfig = z.output<typeof EngineConfigSchema>;

export function parseEngineConfig(input: EngineConfigInput = {}): EngineConfig {
  return EngineConfigSchema.parse(input);
}

/** The socket base this engine uses, or null where agents cannot reach a host socket (runsc: the gofer refuses) or must not. */
export function agentSocketBase(config: EngineConfig): string | null {
  return config.runtime === "runc" && config.agentSocketDir !== null && agentSocketPossible() ? config.agentSocketDir : null;
}

export function imageFor(config: EngineConfig, kind: ImageKind): string {
  return config.images[kind] ?? `${config.registry}/${kind}:latest`;
}
