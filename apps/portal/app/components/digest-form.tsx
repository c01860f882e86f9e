import { Form } from "react-router";
import { SubmitButton } from "#app/components/forms.tsx";

export type DigestFrequencyValue = "none" | "daily" | "weekly";

const CHOICES: { value: DigestFrequencyValue; label: string; hint: string }[] = [
  { value: "none", label: "Never", hint: "No digest e-mails." },
  { value: "daily", label: "Daily", hint: "One e-mail a day when something changed." },
  { value: "weekly", label: "Weekly", hint: "One e-mail a week when something changed." },
];

/**
 * The member's choice of e-mail digest, posted as `intent=digest` to the page's own
 * action (watchlist or account page). A plain form: it works without JavaScript.
 */
export function DigestForm({
  frequency,
  emailVerified,
  result,
}: {
  frequency: DigestFrequencyValue;
  emailVerified: boolean;
  /** The action's answer to the last post of this form, if any. */
  result?: { message?: string; error?: string } | null | undefined;
}) {
  return (
    <Form method="post">
      {/* Keyed by the saved choice, so the radios show it again after each save. */}
      <fieldset key={frequency} aria-describedby="digest-hint">
        <legend className="text-sm font-medium">
          How often should we e-mail you what changed?
        </legend>
        <p id="digest-hint" className="mt-0.5 text-sm text-muted">
          A digest lists the profiles you follow whose public sections changed, and new articles on
          your profiles and topics. Every digest has a one-click unsubscribe link.
        </p>
        <div className="mt-2 space-y-1">
          {CHOICES.map((choice) => (
            <label key={choice.value} className="flex items-baseline gap-2 text-sm">
              <input
                type="radio"
                name="frequency"
                value={choice.value}
                defaultChecked={choice.value === frequency}
              />
              <span>
                <span className="font-medium">{choice.label}</span>{" "}
                <span className="text-muted">{choice.hint}</span>
              </span>
            </label>
          ))}
        </div>
      </fieldset>
      {emailVerified ? null : (
        <p className="mt-2 text-sm text-amber-900">
          Digests go to verified addresses only: verify yours from your account page first.
        </p>
      )}
      <div className="mt-3 flex flex-wrap items-center gap-3">
        <SubmitButton intent="digest" variant="secondary" pendingLabel="Saving…">
          Save digest choice
        </SubmitButton>
        <p
          role="status"
          aria-live="polite"
          className={`text-sm ${result?.error ? "text-red-700" : "text-muted"}`}
        >
          {result?.error ?? result?.message ?? ""}
        </p>
      </div>
    </Form>
  );
}
