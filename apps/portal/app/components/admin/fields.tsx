import { FieldErrors, type FieldMeta } from "#app/components/forms.tsx";

// Form controls the shared forms.tsx has no equivalent for: a radio group and a select.
// Same conventions: a visible label, errors right below, announced through
// aria-invalid + aria-describedby, and working without JavaScript.

export type Choice = { value: string; label: string; hint?: string };

export function RadioGroupField({
  meta,
  legend,
  choices,
}: {
  meta: FieldMeta;
  legend: string;
  choices: readonly Choice[];
}) {
  const invalid = Boolean(meta.errors?.length);
  return (
    <fieldset className="mb-4" aria-describedby={invalid ? meta.errorId : undefined}>
      <legend className="text-sm font-medium">{legend}</legend>
      <div className="mt-2 space-y-2">
        {choices.map((choice) => {
          const id = `${meta.id}-${choice.value}`;
          return (
            <div key={choice.value} className="flex items-start gap-2">
              <input
                id={id}
                type="radio"
                name={meta.name}
                value={choice.value}
                required={meta.required}
                defaultChecked={meta.initialValue === choice.value}
                aria-describedby={choice.hint ? `${id}-hint` : undefined}
                className="mt-1"
              />
              <div className="text-sm">
                <label htmlFor={id} className="font-medium">
                  {choice.label}
                </label>
                {choice.hint ? (
                  <p id={`${id}-hint`} className="text-muted">
                    {choice.hint}
                  </p>
                ) : null}
              </div>
            </div>
          );
        })}
      </div>
      <FieldErrors id={meta.errorId} errors={meta.errors} />
    </fieldset>
  );
}

export function SelectField({
  meta,
  label,
  choices,
  placeholder,
}: {
  meta: FieldMeta;
  label: string;
  choices: readonly Choice[];
  placeholder?: string;
}) {
  const invalid = Boolean(meta.errors?.length);
  return (
    <div className="mb-4">
      <label htmlFor={meta.id} className="block text-sm font-medium">
        {label}
      </label>
      <select
        id={meta.id}
        name={meta.name}
        required={meta.required}
        defaultValue={typeof meta.initialValue === "string" ? meta.initialValue : ""}
        aria-invalid={invalid || undefined}
        aria-describedby={invalid ? meta.errorId : undefined}
        className="mt-1 block w-full rounded-md border border-slate-300 bg-white px-3 py-2 text-base shadow-sm aria-[invalid=true]:border-red-600"
      >
        {placeholder ? <option value="">{placeholder}</option> : null}
        {choices.map((choice) => (
          <option key={choice.value} value={choice.value}>
            {choice.label}
          </option>
        ))}
      </select>
      <FieldErrors id={meta.errorId} errors={meta.errors} />
    </div>
  );
}
