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

/** The known field an unknown one most likely meant: its snake_case spelling, else one within two edits. */
export function suggestField(key: string, known: readonly string[]): string | null {
  const snake = snakeCase(key);
  if (known.includes(snake)) return snake;
  let best: { field: string; distance: number } | null = null;
  for (const field of known) {
    const distance = editDistance(snake, field);
    if (distance <= 2 && (!best || distance < best.distance)) best = { field, distance };
  }
  return best?.field ?? null;
}

export function unknownFieldsMessage(keys: readonly string[], known: readonly string[]): string {
  const each = keys.slice(0, 10).map((key) => {
    const name = key.length > 60 ? `${key.slice(0, 60)}…` : key;
    const meant = suggestField(key, known);
    return meant ? `unknown field \`${name}\`: did you mean \`${meant}\`?` : `unknown field \`${name}\``;
  });
  return `${each.join("; ")} (fields are snake_case: ${known.join(", ")})`;
}

/** A strict object whose unknown-field refusal suggests the snake_case field meant. */
export function restObject<Shape extends z.ZodRawShape>(shape: Shape) {
  const known = Object.keys(shape);
  return z.strictObject(shape, {
    error: (issue) => (issue.code === "unrecognized_keys" ? unknownFieldsMessage(issue.keys, known) : undefined),
  });
}
