import { z } from "zod";

// The REST API speaks snake_case (the seed's names) while the tRPC API and most JavaScript speak
// camelCase, so the commonest mistake is `isEntryPoint` for `is_entry_point`. Unknown fields are
// refused (a misspelt field silently ignored would do the wrong thing); the refusal names the
// field the caller most likely meant, and the fields there are.

/** `isEntryPoint` → `is_entry_point`; `ai-personality` → `ai_personality`. */
export function snakeCase(key: string): string {
  return key
    .replace(/([a-z0-9])([A-Z])/g, "$1_$2")
    .replace(/([A-Z]+)([A-Z][a-z])/g, "$1_$2")
    .replace(/[-\s]+/g, "_")
    .toLowerCase();
}

/** Levenshtein distance, for typos such as `comand`; the inputs are short field names. */
function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      current[j] = Math.min((previous[j] ?? 0) + 1, (current[j - 1] ?? 0) + 1, (previous[j - 1] ?? 0) + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    previous = current;
  }
  return previous[b.length] ?? 0;
}

// A unit written into the name (`timeoutMs`, `timeout_seconds`) for a field whose unit the API
// fixes: the seed's `timeout` is seconds on every REST route, and a client used to milliseconds
// sends `timeoutMs: 30000`. The suggestion names the field and converts the value it was sent.
const UNIT_SUFFIX = /_(ms|millis|milliseconds|s|sec|secs|seconds)$/;
const MILLISECONDS = new Set(["ms", "millis", "milliseconds"]);
const FIELD_UNITS: Readonly<Record<string, "seconds">> = { timeout: "seconds" };

export type FieldSuggestion = { field: string; hint?: string };

/**
 * The known field an unknown one most likely meant: its snake_case spelling, the same without a
 * unit suffix, with or without an `is_` prefix (`entryPoint`, `isExecutable`), else one within two edits (`comand`).
 */
export function suggestFieldWithHint(key: string, known: readonly string[], value?: unknown): FieldSuggestion | null {
  const snake = snakeCase(key);
  if (known.includes(snake)) return { field: snake };
  const unit = UNIT_SUFFIX.exec(snake);
  const base = unit ? snake.slice(0, unit.index) : null;
  if (base && unit && known.includes(base)) {
    if (FIELD_UNITS[base] !== "seconds") return { field: base };
    if (!MILLISECONDS.has(unit[1] ?? "") || typeof value !== "number" || !Number.isFinite(value)) return { field: base, hint: "in seconds" };
    return { field: base, hint: `in seconds: \`"${base}": ${Math.ceil(value / 1000)}\` for ${value} ms` };
  }
  if (known.includes(`is_${snake}`)) return { field: `is_${snake}` };
  if (snake.startsWith("is_") && known.includes(snake.slice(3))) return { field: snake.slice(3) };
  let best: { field: string; distance: number } | null = null;
  for (const field of known) {
    const distance = editDistance(snake, field);
    if (distance <= 2 && (!best || distance < best.distance)) best = { field, distance };
  }
  return best ? { field: best.field } : null;
}

/** The known field an unknown one most likely meant, or null. */
export function suggestField(key: string, known: readonly string[]): string | null {
  return suggestFieldWithHint(key, known)?.field ?? null;
}

/** `input` is the object refused, so a suggestion can quote the value sent (milliseconds → seconds). */
export function unknownFieldsMessage(keys: readonly string[], known: readonly string[], input?: unknown): string {
  const values = typeof input === "object" && input !== null ? (input as Record<string, unknown>) : {};
  const each = keys.slice(0, 10).map((key) => {
    const name = key.length > 60 ? `${key.slice(0, 60)}…` : key;
    const meant = suggestFieldWithHint(key, known, Object.hasOwn(values, key) ? values[key] : undefined);
    if (!meant) return `unknown field \`${name}\``;
    return `unknown field \`${name}\`: did you mean \`${meant.field}\`?${meant.hint ? ` (${meant.hint})` : ""}`;
  });
  return `${each.join("; ")} (fields are snake_case: ${known.join(", ")})`;
}

/** A strict object whose unknown-field refusal suggests the snake_case field meant. */
export function restObject<Shape extends z.ZodRawShape>(shape: Shape) {
  const known = Object.keys(shape);
  return z.strictObject(shape, {
    error: (issue) => (issue.code === "unrecognized_keys" ? unknownFieldsMessage(issue.keys, known, issue.input) : undefined),
  });
}
