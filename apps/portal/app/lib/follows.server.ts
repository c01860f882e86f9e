import type { FollowOutcome } from "@briefings/db/queries";
import { data } from "react-router";
import { z } from "zod";
import { PRIVATE_NO_STORE } from "./auth.server.ts";

// The follow buttons' actions (profile and topic pages): one small form, `intent=follow`
// or `intent=unfollow`, answered with what the button shows next. Both are idempotent.

/** What a follow form posts. */
export const followFormSchema = z.object({
  intent: z.enum(["follow", "unfollow"], { error: 'intent must be "follow" or "unfollow"' }),
});

export type FollowAnswer = { following: boolean; message: string } | { error: string };

/** The form's intent, or a 400 naming the problem. */
export async function followIntent(request: Request): Promise<"follow" | "unfollow"> {
  const parsed = followFormSchema.safeParse(Object.fromEntries(await request.formData()));
  if (!parsed.success) {
    throw data(
      { message: parsed.error.issues[0]?.message ?? "Invalid form" },
      { status: 400, headers: PRIVATE_NO_STORE },
    );
  }
  return parsed.data.intent;
}

/**
 * The answer to a follow: the new state, or why it was refused (404: nothing to follow
 * there; 409: the member follows as much as one may).
 */
export function followAnswer(outcome: FollowOutcome, what: "profile" | "topic", name: string) {
  if (outcome.ok) {
    return data<FollowAnswer>(
      { following: true, message: `You follow ${name}. Its changes appear on your watchlist.` },
      { headers: PRIVATE_NO_STORE },
    );
  }
  if (outcome.reason === "limit") {
    return data<FollowAnswer>(
      {
        error: `You already follow ${outcome.limit} profiles and topics, the most one member can. Unfollow some on your watchlist first.`,
      },
      { status: 409, headers: PRIVATE_NO_STORE },
    );
  }
  return data<FollowAnswer>(
    { error: `There is no published ${what} to follow at this address.` },
    { status: 404, headers: PRIVATE_NO_STORE },
  );
}

/** The answer to an unfollow: always done (unfollowing twice changes nothing). */
export function unfollowAnswer(name: string) {
  return data<FollowAnswer>(
    { following: false, message: `You no longer follow ${name}.` },
    { headers: PRIVATE_NO_STORE },
  );
}
