import type { AiPersonality } from "@/lib/ai-personalities";
import { aiPersonalitySchema } from "@/lib/ai-personalities";
import type { AuthUser } from "@/server/auth/auth-user";

/**
 * Who acts: the person (by session or API key) and the AI personality acting for them, or null
 * for the person themselves. Built once where a request enters (the tRPC context, the REST caller,
 * the MCP session) and passed down: services record `ai` as given and never work it out again.
 */
export interface Actor {
  user: AuthUser;
  ai: AiPersonality | null;
}

/** The personality named in the request, else the API key's default, else none (a person acting). */
export function actorFor(user: AuthUser, named?: AiPersonality | null): Actor {
  if (named) return { user, ai: named };
  const fallback = aiPersonalitySchema.safeParse(user.defaultAiPersonality);
  return { user, ai: fallback.success ? fallback.data : null };
}

/** The same actor with the personality a request names (a request naming none keeps the actor's). */
export function actingAs(actor: Actor, named: AiPersonality | null | undefined): Actor {
  return named ? { user: actor.user, ai: named } : actor;
}
