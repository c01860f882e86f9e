import { getFormProps, type SubmissionResult, useForm } from "@conform-to/react";
import { getZodConstraint, parseWithZod } from "@conform-to/zod/v4";
import { Form } from "react-router";
import { z } from "zod";
import { FieldErrors, FormError, SubmitButton } from "#app/components/forms.tsx";

/** The range the database accepts too (billing_settings_grace). */
export const GRACE_DAYS_RANGE = { min: 0, max: 60 } as const;

const GRACE_ERROR = `The past-due grace period is a whole number of days from ${GRACE_DAYS_RANGE.min} to ${GRACE_DAYS_RANGE.max}`;

/** The billing settings form, checked with the same schema in the browser and the action. */
export const billingSettingsSchema = z.object({
  pastDueGraceDays: z
    .number({ error: GRACE_ERROR })
    .int({ error: GRACE_ERROR })
    .min(GRACE_DAYS_RANGE.min, { error: GRACE_ERROR })
    .max(GRACE_DAYS_RANGE.max, { error: GRACE_ERROR }),
});

const INPUT =
  "mt-1 block w-32 rounded-md border border-slate-300 bg-white px-3 py-2 text-base shadow-sm aria-[invalid=true]:border-red-600 focus:border-accent";

/**
 * How long a member whose renewal failed keeps access while Stripe retries the card
 * (decision 022). Works without JavaScript: the action answers with the same errors.
 */
export function BillingSettingsForm({
  pastDueGraceDays,
  lastResult,
}: {
  pastDueGraceDays: number;
  lastResult: SubmissionResult<string[]> | null | undefined;
}) {
  const [form, fields] = useForm({
    id: "billing-settings",
    lastResult,
    defaultValue: { pastDueGraceDays: String(pastDueGraceDays) },
    constraint: getZodConstraint(billingSettingsSchema),
    shouldValidate: "onBlur",
    shouldRevalidate: "onInput",
    onValidate: ({ formData }) => parseWithZod(formData, { schema: billingSettingsSchema }),
  });
  const field = fields.pastDueGraceDays;
  const invalid = Boolean(field.errors?.length);
  return (
    <Form method="post" {...getFormProps(form)} className="mt-3 max-w-xl">
      <FormError id={form.errorId} errors={form.errors} />
      <div className="mb-4">
        <label htmlFor={field.id} className="block text-sm font-medium">
          Past-due grace period (days)
        </label>
        <p id={field.descriptionId} className="mt-0.5 text-sm text-muted">
          How long a member whose renewal failed keeps access while Stripe retries the card, counted
          from the first failure. From {GRACE_DAYS_RANGE.min} (access ends at once) to{" "}
          {GRACE_DAYS_RANGE.max}.
        </p>
        <input
          id={field.id}
          name={field.name}
          type="number"
          inputMode="numeric"
          min={GRACE_DAYS_RANGE.min}
          max={GRACE_DAYS_RANGE.max}
          step={1}
          required
          defaultValue={typeof field.initialValue === "string" ? field.initialValue : undefined}
          aria-invalid={invalid || undefined}
          aria-describedby={
            invalid ? `${field.descriptionId} ${field.errorId}` : field.descriptionId
          }
          className={INPUT}
        />
        <FieldErrors id={field.errorId} errors={field.errors} />
      </div>
      <SubmitButton pendingLabel="Saving…">Save billing settings</SubmitButton>
    </Form>
  );
}
