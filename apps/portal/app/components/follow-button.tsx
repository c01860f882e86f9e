import { Link, useFetcher } from "react-router";

type Answer = { following: boolean; message: string } | { error: string };

/**
 * Follow or unfollow the page's profile or topic. A plain POST form to the page's own
 * action, so it works without JavaScript; with it, a fetcher sends it in place and the
 * button shows the new state at once. Anonymous readers get a link to sign in instead
 * (the same for all of them, so their page may still be cached publicly).
 */
export function FollowButton({
  following,
  signInHref,
  what,
  actionData,
}: {
  /** Null for anonymous readers. */
  following: boolean | null;
  signInHref: string;
  /** "this profile" or "this topic", for the labels. */
  what: string;
  /** The page's own action answer, after a post without JavaScript. */
  actionData?: Answer | undefined;
}) {
  const fetcher = useFetcher<Answer>();
  if (following === null) {
    return (
      <p className="text-sm">
        <Link to={signInHref} className="font-semibold">
          Sign in to follow {what}
        </Link>
      </p>
    );
  }
  const pending = fetcher.formData?.get("intent");
  const answer = fetcher.data ?? actionData;
  const shown =
    pending === "follow" || pending === "unfollow"
      ? pending === "follow"
      : fetcher.data && "following" in fetcher.data
        ? fetcher.data.following
        : following;
  const message = answer
    ? "error" in answer
      ? answer.error
      : answer.message
    : shown
      ? `You follow ${what}.`
      : "";
  return (
    <fetcher.Form method="post" className="flex flex-wrap items-center gap-3">
      <button
        type="submit"
        name="intent"
        value={shown ? "unfollow" : "follow"}
        className={`inline-flex items-center rounded-md px-3 py-1.5 text-sm font-semibold ${
          shown
            ? "border border-slate-300 bg-white text-ink hover:bg-slate-50"
            : "bg-accent text-white hover:bg-accent-dark"
        }`}
      >
        {shown ? "Unfollow" : "Follow"}
        <span className="sr-only"> {what}</span>
      </button>
      <p
        role="status"
        aria-live="polite"
        className={`text-sm ${answer && "error" in answer ? "text-red-700" : "text-muted"}`}
      >
        {message}
      </p>
    </fetcher.Form>
  );
}
