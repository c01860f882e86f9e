import { tierFormSchema, type tierFormValues } from "@briefings/core";
import { getFormProps, type SubmissionResult, useForm } from "@conform-to/react";
import { getZodConstraint, parseWithZod } from "@conform-to/zod/v4";
import type { ReactNode } from "react";
import { Form, Link } from "react-router";
import { RadioGroupField } from "#app/components/admin/fields.tsx";
import {
  RankChanges,
  TierImpactPanel,
  type TierImpactView,
} from "#app/components/admin/tier-impact.tsx";
import {
  FieldErrors,
  FormError,
  SubmitButton,
  TextareaField,
  TextField,
} from "#app/components/forms.tsx";

export const JOIN_METHOD_CHOICES = [
  {
    value: "open",
    label: "Open",
    hint: "Any signed-in reader with a verified address joins with one click.",
  },
  {
    value: "application",
    label: "By application",
    hint: "Members apply with their evidence; an admin approves or rejects.",
  },
  {
    value: "invitation",
    label: "By invitation",
    hint: "Nobody can join or apply; admins grant it to members.",
  },
] as const;

export type TierFormDefaults = ReturnType<typeof tierFormValues>;

/**
 * The tier form, for a new tier and an existing one: every field, with its errors beside
 * it, working without JavaScript (the server validates with the same schema). When the
 * server asks to confirm a change of rank, the preview is shown inside the form, which then
 * carries the preview's token and is sent again as it is.
 */
export function TierForm({
  id,
  defaultValue,
  lastResult,
  submitLabel,
  pendingLabel,
  slugHint,
  confirm,
}: {
  id: string;
  defaultValue: TierFormDefaults;
  lastResult: SubmissionResult<string[]> | null | undefined;
  submitLabel: string;
  pendingLabel: string;
  slugHint?: ReactNode;
  /** The server's preview of a change of rank, to confirm (edit only). */
  confirm?: { impact: TierImpactView; error: string | null; cancelTo: string } | null;
}) {
  const [form, fields] = useForm({
    id,
    lastResult,
    defaultValue,
    // The fields' constraints, read from the object before its final transform (conform
    // cannot read a transform at the root).
    constraint: getZodConstraint(tierFormSchema.in),
    shouldValidate: "onBlur",
    shouldRevalidate: "onInput",
    onValidate: ({ formData }) => parseWithZod(formData, { schema: tierFormSchema }),
  });
  const paidChecked = fields.paid.initialValue === "on";
  const paidInvalid = Boolean(fields.paid.errors?.length);
  return (
    <Form method="post" {...getFormProps(form)} className="mt-6 max-w-2xl">
      <FormError id={form.errorId} errors={confirm ? null : form.errors} />
      <TextField meta={fields.name} label="Name" hint="As readers see it, e.g. Strategic Circle." />
      <TextField
        meta={fields.slug}
        label="Slug"
        hint={
          slugHint ??
          "In addresses such as /membership/apply/gold-circle: lowercase letters, digits and hyphens."
        }
      />
      <TextareaField
        meta={fields.description}
        label="Description"
        hint="What the tier is, in a sentence or two, for the membership page."
        rows={3}
      />
      <TextField meta={fields.audience} label="Who it is for" hint="e.g. Any signed-in reader." />
      <TextField
        meta={fields.rank}
        label="Rank"
        hint="A whole number from 1 to 1000, different from every other tier's. A tier includes every tier of lower rank."
      />
      <RadioGroupField
        meta={fields.joinMethod}
        legend="How members join"
        choices={JOIN_METHOD_CHOICES}
      />
      <TextareaField
        meta={fields.benefits}
        label="Benefits"
        hint="One per line, at most 20; shown on the membership page."
        rows={4}
      />
      <fieldset className="mb-4 rounded-md border border-slate-200 p-4">
        <legend className="px-1 text-sm font-medium">Price</legend>
        <div className="mb-4">
          <div className="flex items-start gap-2">
            <input
              id={fields.paid.id}
              name={fields.paid.name}
              type="checkbox"
              defaultChecked={paidChecked}
              aria-invalid={paidInvalid || undefined}
              aria-describedby={`${fields.paid.descriptionId}${paidInvalid ? ` ${fields.paid.errorId}` : ""}`}
              className="mt-1"
            />
            <div className="text-sm">
              <label htmlFor={fields.paid.id} className="font-medium">
                Paid tier
              </label>
              <p id={fields.paid.descriptionId} className="text-muted">
                Members pay for it (after approval, for a tier taken by application). A paid tier
                needs a monthly or a yearly price; a free one has none.
              </p>
            </div>
          </div>
          <FieldErrors id={fields.paid.errorId} errors={fields.paid.errors} />
        </div>
        <div className="grid gap-x-4 sm:grid-cols-2">
          <TextField
            meta={fields.priceMonthly}
            label="Monthly price"
            hint="e.g. 49.00; empty for none."
          />
          <TextField
            meta={fields.priceYearly}
            label="Yearly price"
            hint="e.g. 490.00; empty for none."
          />
        </div>
        <div className="max-w-40">
          <TextField
            meta={fields.currency}
            label="Currency"
            hint="Three letters, e.g. USD."
            autoComplete="off"
          />
        </div>
      </fieldset>
      {confirm ? (
        <>
          <input type="hidden" name="confirmation" value={confirm.impact.token} />
          <TierImpactPanel
            impact={confirm.impact}
            title="Confirm the change of rank"
            error={confirm.error}
            intro={
              <>
                <p>
                  A tier admits the gates of every tier of lower rank, so a new rank moves what
                  members read. Nothing is saved until you confirm. The order it leaves:
                </p>
                <RankChanges tiers={confirm.impact.tiers} />
              </>
            }
          >
            <SubmitButton intent="save" pendingLabel="Saving…">
              Confirm and save
            </SubmitButton>
            <Link to={confirm.cancelTo}>Cancel</Link>
          </TierImpactPanel>
        </>
      ) : (
        <SubmitButton intent="save" pendingLabel={pendingLabel}>
          {submitLabel}
        </SubmitButton>
      )}
    </Form>
  );
}
