import type { ReactNode } from "react";
import { useNavigation } from "react-router";

// Form building blocks shared by every form of the portal. Each field has a visible
// label, its errors right below it (announced: aria-invalid + aria-describedby), and keeps
// working without JavaScript: the server validates and answers with the same errors.

/** What a field component needs of conform's field metadata. */
export type FieldMeta = {
  id: string;
  name: string;
  errorId: string;
  descriptionId: string;
  errors?: string[] | undefined;
  initialValue?: unknown;
  required?: boolean;
};

function describedBy(meta: FieldMeta, hint: boolean): string | undefined {
  const ids = [hint ? meta.descriptionId : null, meta.errors?.length ? meta.errorId : null].filter(
    Boolean,
  );
  return ids.length ? ids.join(" ") : undefined;
}

export function FieldErrors({ id, errors }: { id: string; errors?: string[] | undefined }) {
  if (!errors?.length) return null;
  return (
    <ul id={id} className="mt-1 space-y-0.5 text-sm text-red-700" data-field-errors>
      {errors.map((error) => (
        <li key={error}>{error}</li>
      ))}
    </ul>
  );
}

const INPUT_CLASS =
  "mt-1 block w-full rounded-md border border-slate-300 bg-white px-3 py-2 text-base shadow-sm aria-[invalid=true]:border-red-600 focus:border-accent";

export function TextField({
  meta,
  label,
  hint,
  type = "text",
  autoComplete,
  defaultValue,
  inputMode,
}: {
  meta: FieldMeta;
  label: string;
  hint?: ReactNode;
  type?: "text" | "email" | "password" | "url" | "date" | "datetime-local" | "search";
  autoComplete?: string;
  defaultValue?: string;
  inputMode?: "text" | "email" | "url";
}) {
  const invalid = Boolean(meta.errors?.length);
  return (
    <div className="mb-4">
      <label htmlFor={meta.id} className="block text-sm font-medium">
        {label}
      </label>
      {hint ? (
        <p id={meta.descriptionId} className="mt-0.5 text-sm text-muted">
          {hint}
        </p>
      ) : null}
      <input
        id={meta.id}
        name={meta.name}
        type={type}
        autoComplete={autoComplete}
        inputMode={inputMode}
        required={meta.required}
        defaultValue={
          type === "password"
            ? undefined
            : (defaultValue ??
              (typeof meta.initialValue === "string" ? meta.initialValue : undefined))
        }
        aria-invalid={invalid || undefined}
        aria-describedby={describedBy(meta, Boolean(hint))}
        className={INPUT_CLASS}
      />
      <FieldErrors id={meta.errorId} errors={meta.errors} />
    </div>
  );
}

export function TextareaField({
  meta,
  label,
  hint,
  rows = 4,
}: {
  meta: FieldMeta;
  label: string;
  hint?: ReactNode;
  rows?: number;
}) {
  const invalid = Boolean(meta.errors?.length);
  return (
    <div className="mb-4">
      <label htmlFor={meta.id} className="block text-sm font-medium">
        {label}
      </label>
      {hint ? (
        <p id={meta.descriptionId} className="mt-0.5 text-sm text-muted">
          {hint}
        </p>
      ) : null}
      <textarea
        id={meta.id}
        name={meta.name}
        rows={rows}
        required={meta.required}
        defaultValue={typeof meta.initialValue === "string" ? meta.initialValue : undefined}
        aria-invalid={invalid || undefined}
        aria-describedby={describedBy(meta, Boolean(hint))}
        className={INPUT_CLASS}
      />
      <FieldErrors id={meta.errorId} errors={meta.errors} />
    </div>
  );
}

/** An error about the whole form (wrong credentials, too many attempts), announced at once. */
export function FormError({ id, errors }: { id?: string; errors?: string[] | null | undefined }) {
  if (!errors?.length) return null;
  return (
    <div
      id={id}
      role="alert"
      className="mb-4 rounded-md border border-red-300 bg-red-50 px-3 py-2 text-sm text-red-800"
    >
      {errors.map((error) => (
        <p key={error}>{error}</p>
      ))}
    </div>
  );
}

/** A success message, announced politely. */
export function Notice({ children }: { children: ReactNode }) {
  return (
    <div
      role="status"
      className="mb-4 rounded-md border border-emerald-300 bg-emerald-50 px-3 py-2 text-sm text-emerald-900"
    >
      {children}
    </div>
  );
}

/**
 * A submit button that shows progress while its form is being sent. `intent`, when given,
 * is submitted as the button's value so one form can carry several actions.
 */
export function SubmitButton({
  children,
  pendingLabel,
  intent,
  variant = "primary",
}: {
  children: ReactNode;
  pendingLabel?: string;
  intent?: string;
  variant?: "primary" | "secondary" | "danger";
}) {
  const navigation = useNavigation();
  const pending =
    navigation.state === "submitting" &&
    (intent === undefined || navigation.formData?.get("intent") === intent);
  const colours = {
    primary: "bg-accent text-white hover:bg-accent-dark",
    secondary: "border border-slate-300 bg-white text-ink hover:bg-slate-50",
    danger: "bg-red-700 text-white hover:bg-red-800",
  }[variant];
  return (
    <button
      type="submit"
      name={intent ? "intent" : undefined}
      value={intent}
      disabled={pending}
      aria-disabled={pending || undefined}
      className={`inline-flex items-center rounded-md px-4 py-2 text-sm font-semibold disabled:opacity-60 ${colours}`}
    >
      {pending ? (pendingLabel ?? "Working…") : children}
    </button>
  );
}
