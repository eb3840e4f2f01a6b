import type { AiPersonality } from "@/lib/ai-personalities";
import { aiPersonalitySchema } from "@/lib/ai-personalities";
import type { AuthUser } from "@/server/auth/auth-user";

/** The personality named in the request, else the API key's default, else none (a person acting). */
export function attributedAi(user: AuthUser, requested: AiPersonality | null | undefined): AiPersonality | null {
  if (requested) return requested;
  const fallback = aiPersonalitySchema.safeParse(user.defaultAiPersonality);
  return fallback.success ? fallback.data : null;
}
