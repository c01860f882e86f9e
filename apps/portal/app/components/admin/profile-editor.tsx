import {
  CONFIDENCE_BANDS,
  CRITICALITIES,
  gradeConfidence,
  PROFILE_FOCUSES,
  type ProfileDocument,
  type ProfileFormInput,
  profileFormSchema,
  type profileFormValues,
  SOURCE_RELIABILITIES,
} from "@briefings/core";
import { getFormProps, type SubmissionResult, useForm } from "@conform-to/react";
import { parseWithZod } from "@conform-to/zod/v4";
import { type ReactNode, useId, useMemo, useState } from "react";
import { Form } from "react-router";
import { type Choice, SelectField } from "#app/components/admin/fields.tsx";
import {
  FieldErrors,
  type FieldMeta,
  FormError,
  SubmitButton,
  TextareaField,
  TextField,
} from "#app/components/forms.tsx";
import { renderMarkdown } from "#app/lib/markdown.ts";
import { DiffView, type DiffViewBlock } from "./diff-view.tsx";

export type ProfileFormDefaults = ReturnType<typeof profileFormValues>;

export type EditorConflict = {
  version: number;
  author: string;
  at: string;
  diff: DiffViewBlock[] | null;
};

const STATUS_CHOICES: Choice[] = [
  { value: "draft", label: "Draft: only editors see it" },
  { value: "scheduled", label: "Scheduled: published at the time below" },
  { value: "published", label: "Published: readers see it now" },
];

const choices = (values: readonly string[]): Choice[] =>
  values.map((value) => ({ value, label: value }));

function Fieldset({ legend, children }: { legend: string; children: ReactNode }) {
  return (
    <fieldset className="mt-8 rounded-lg border border-slate-200 bg-white p-4 sm:p-6">
      <legend className="px-1 text-lg font-semibold">{legend}</legend>
      {children}
    </fieldset>
  );
}

/** A small button that acts on a list: add, remove, move. Submits to the server without JS. */
function ListButton({ children, ...props }: { children: ReactNode } & Record<string, unknown>) {
  return (
    <button
      {...props}
      className="rounded border border-slate-300 bg-white px-2 py-1 text-sm hover:bg-slate-50"
    >
      {children}
    </button>
  );
}

/** The score with its grade, updated as the editor types (the grading table of the seed). */
function ConfidenceField({ meta }: { meta: FieldMeta }) {
  const [value, setValue] = useState(
    typeof meta.initialValue === "string" ? meta.initialValue : "",
  );
  const score = Number(value);
  const band = value.trim() !== "" && score >= 0 && score <= 1 ? gradeConfidence(score) : null;
  const outputId = useId();
  return (
    <div className="mb-4">
      <label htmlFor={meta.id} className="block text-sm font-medium">
        Confidence score (0 to 1)
      </label>
      <div className="mt-1 flex flex-wrap items-center gap-3">
        <input
          id={meta.id}
          name={meta.name}
          type="number"
          inputMode="decimal"
          step="0.01"
          min="0"
          max="1"
          value={value}
          onChange={(event) => setValue(event.target.value)}
          aria-invalid={meta.errors?.length ? true : undefined}
          aria-describedby={[outputId, meta.errors?.length ? meta.errorId : ""].join(" ").trim()}
          className="block w-32 rounded-md border border-slate-300 bg-white px-3 py-2 text-base shadow-sm"
        />
        <output
          id={outputId}
          htmlFor={meta.id}
          aria-live="polite"
          data-testid="confidence-grade"
          className="text-sm"
        >
          {band ? (
            <>
              Grade <strong>{band.grade}</strong>: {band.meaning}
            </>
          ) : (
            "Enter a score between 0 and 1 to see its grade"
          )}
        </output>
      </div>
      <details className="mt-2 text-sm text-muted">
        <summary>The grading table</summary>
        <ul className="mt-1">
          {CONFIDENCE_BANDS.map((b) => (
            <li key={b.min}>
              from {b.min.toFixed(2)}: {b.grade} — {b.meaning}
            </li>
          ))}
        </ul>
      </details>
      <FieldErrors id={meta.errorId} errors={meta.errors} />
    </div>
  );
}

/** A markdown textarea with the rendered result beside it, as readers will see it. */
function MarkdownField({ meta, label }: { meta: FieldMeta; label: string }) {
  const [source, setSource] = useState(
    typeof meta.initialValue === "string" ? meta.initialValue : "",
  );
  const html = useMemo(() => renderMarkdown(source), [source]);
  const previewId = useId();
  return (
    <div className="mb-4 grid gap-4 md:grid-cols-2">
      <div>
        <label htmlFor={meta.id} className="block text-sm font-medium">
          {label}
        </label>
        <p id={meta.descriptionId} className="mt-0.5 text-sm text-muted">
          Markdown: ## headings, **bold**, [links](https://…), lists. HTML is shown as text.
        </p>
        <textarea
          id={meta.id}
          name={meta.name}
          rows={14}
          value={source}
          onChange={(event) => setSource(event.target.value)}
          aria-invalid={meta.errors?.length ? true : undefined}
          aria-describedby={meta.descriptionId}
          className="mt-1 block w-full rounded-md border border-slate-300 bg-white px-3 py-2 font-mono text-sm shadow-sm"
        />
        <FieldErrors id={meta.errorId} errors={meta.errors} />
      </div>
      <section aria-labelledby={previewId} className="min-w-0">
        <h4 id={previewId} className="text-sm font-medium">
          Preview
        </h4>
        <div
          className="prose mt-1 max-h-96 overflow-auto rounded-md border border-dashed border-slate-300 bg-slate-50 p-3 text-sm"
          data-testid="markdown-preview"
          // The renderer escapes HTML and refuses unsafe links: this is the readers' output.
          // biome-ignore lint/security/noDangerouslySetInnerHtml: sanitised markdown output
          dangerouslySetInnerHTML={{ __html: html || "<p><em>Nothing written yet.</em></p>" }}
        />
      </section>
    </div>
  );
}

export function ProfileEditorForm({
  defaultValue,
  lastResult,
  gateChoices,
  kindChoices,
  baseVersion,
  conflict,
  submitLabel,
}: {
  defaultValue: ProfileFormDefaults;
  lastResult: SubmissionResult<string[]> | null | undefined;
  gateChoices: Choice[];
  kindChoices: Choice[];
  /** The version this editor opened; absent for a new profile. */
  baseVersion?: number;
  conflict?: EditorConflict | null;
  submitLabel: string;
}) {
  const [form, fields] = useForm<ProfileFormInput, ProfileDocument>({
    id: "profile-editor",
    lastResult,
    defaultValue,
    shouldValidate: "onBlur",
    shouldRevalidate: "onInput",
    onValidate: ({ formData }) => parseWithZod(formData, { schema: profileFormSchema }),
  });
  const sections = fields.sections.getFieldList();
  const sources = fields.sources.getFieldList();
  const alsoRead = fields.alsoRead.getFieldList();
  const briefings = fields.briefings.getFieldList();
  return (
    <Form method="post" {...getFormProps(form)} className="mt-6">
      {baseVersion ? <input type="hidden" name="baseVersion" value={baseVersion} /> : null}
      <FormError id={form.errorId} errors={form.errors} />
      {conflict ? (
        <section
          aria-labelledby="conflict-heading"
          className="mb-6 rounded-lg border border-amber-400 bg-amber-50 p-4"
        >
          <h2 id="conflict-heading" className="font-semibold">
            {conflict.author} saved version {conflict.version} at{" "}
            {new Date(conflict.at).toUTCString()}
          </h2>
          <p className="mt-1 text-sm">
            What they changed since the version you opened is below. Nothing of yours is lost: your
            changes are still in the form. Replace their version with yours with the button below,
            or open the latest version in a new tab and copy your changes into it.
          </p>
          {conflict.diff ? <DiffView blocks={conflict.diff} label="Their changes" /> : null}
          <div className="mt-3 flex flex-wrap gap-3">
            <button
              type="submit"
              name="overwrite"
              value={conflict.version}
              className="rounded-md bg-amber-700 px-3 py-1.5 text-sm font-medium text-white"
            >
              Replace version {conflict.version} with mine
            </button>
            <a href="?" target="_blank" rel="noopener" className="text-sm">
              Open the latest version in a new tab
            </a>
          </div>
        </section>
      ) : null}

      <Fieldset legend="Identity">
        <div className="grid gap-x-4 sm:grid-cols-2">
          <TextField meta={fields.name} label="Name" />
          <TextField
            meta={fields.slug}
            label="Address (slug)"
            hint="/profiles/<slug>. Changing it keeps the old address as a redirect."
          />
          <TextField
            meta={fields.type}
            label="Type"
            hint="e.g. Internet infrastructure institution"
          />
          <TextField meta={fields.ecosystem} label="Ecosystem" />
          <TextField meta={fields.base} label="Base" hint="Global, or a country" />
          <SelectField
            meta={fields.focus}
            label="Profile focus"
            choices={choices(PROFILE_FOCUSES)}
          />
        </div>
        <TextareaField meta={fields.summary} label="Summary" rows={4} />
        <TextField meta={fields.topics} label="Topics" hint="Separated by commas" />
      </Fieldset>

      <Fieldset legend="Analysis">
        <TextareaField meta={fields.whatItDoes} label="What it does" hint="One point per line" />
        <TextareaField
          meta={fields.whyItMatters}
          label="Why it matters"
          hint="One point per line"
        />
        <div className="grid gap-x-4 sm:grid-cols-2">
          <SelectField
            meta={fields.criticality}
            label="Operational criticality"
            choices={choices(CRITICALITIES)}
          />
          <TextField meta={fields.timeHorizon} label="Time horizon" hint="e.g. Next quarter" />
        </div>
        <TextareaField meta={fields.whatToWatch} label="What to watch" hint="One point per line" />
        <TextareaField meta={fields.keyPoints} label="Key points" hint="One point per line" />
        <ConfidenceField meta={fields.confidence} />
        <TextField meta={fields.lastReviewedAt} label="Last reviewed" type="date" />
      </Fieldset>

      <Fieldset legend="Sections">
        <FieldErrors id={fields.sections.errorId} errors={fields.sections.errors} />
        <ol className="space-y-4">
          {sections.map((section, index) => {
            const item = section.getFieldset();
            return (
              <li key={section.key} className="rounded-md border border-slate-200 p-3">
                <TextField meta={item.heading} label={`Section ${index + 1}: heading`} />
                <TextareaField
                  meta={item.body}
                  label="Text"
                  hint="Paragraphs separated by a blank line"
                  rows={6}
                />
                <div className="flex flex-wrap gap-2">
                  <ListButton
                    {...form.remove.getButtonProps({ name: fields.sections.name, index })}
                  >
                    Remove section {index + 1}
                  </ListButton>
                  {index > 0 ? (
                    <ListButton
                      {...form.reorder.getButtonProps({
                        name: fields.sections.name,
                        from: index,
                        to: index - 1,
                      })}
                    >
                      Move up
                    </ListButton>
                  ) : null}
                </div>
              </li>
            );
          })}
        </ol>
        <div className="mt-3">
          <ListButton {...form.insert.getButtonProps({ name: fields.sections.name })}>
            Add a section
          </ListButton>
        </div>
      </Fieldset>

      <Fieldset legend="Public sources">
        <FieldErrors id={fields.sources.errorId} errors={fields.sources.errors} />
        <ol className="space-y-4">
          {sources.map((source, index) => {
            const item = source.getFieldset();
            return (
              <li key={source.key} className="rounded-md border border-slate-200 p-3">
                <div className="grid gap-x-4 sm:grid-cols-2">
                  <TextField meta={item.title} label={`Source ${index + 1}: title`} />
                  <TextField meta={item.publisher} label="Publisher" />
                  <TextField meta={item.url} label="URL" type="url" inputMode="url" />
                  <TextField meta={item.publishedAt} label="Date" type="date" />
                  <SelectField
                    meta={item.reliability}
                    label="Reliability"
                    placeholder="Not assessed"
                    choices={SOURCE_RELIABILITIES.map((value) => ({ value, label: value }))}
                  />
                </div>
                <ListButton {...form.remove.getButtonProps({ name: fields.sources.name, index })}>
                  Remove source {index + 1}
                </ListButton>
              </li>
            );
          })}
        </ol>
        <div className="mt-3">
          <ListButton {...form.insert.getButtonProps({ name: fields.sources.name })}>
            Add a source
          </ListButton>
        </div>
        <div className="mt-4">
          <TextField
            meta={fields.sourcesNote}
            label="Sources note"
            hint='Shown under the list, e.g. "Several public sources"'
          />
        </div>
      </Fieldset>

      <Fieldset legend="Also read">
        <ol className="space-y-4">
          {alsoRead.map((entry, index) => {
            const item = entry.getFieldset();
            return (
              <li
                key={entry.key}
                className="grid gap-x-4 rounded-md border border-slate-200 p-3 sm:grid-cols-2"
              >
                <TextField meta={item.title} label={`Reading ${index + 1}: title`} />
                <TextField meta={item.href} label="Link" hint="/profiles/… or https://…" />
                <ListButton {...form.remove.getButtonProps({ name: fields.alsoRead.name, index })}>
                  Remove reading {index + 1}
                </ListButton>
              </li>
            );
          })}
        </ol>
        <div className="mt-3">
          <ListButton {...form.insert.getButtonProps({ name: fields.alsoRead.name })}>
            Add a reading
          </ListButton>
        </div>
      </Fieldset>

      <Fieldset legend="Briefings">
        <p className="text-sm text-muted">
          Each briefing is behind one gate. Readers the gate does not admit see its title and how
          much is withheld, never its text or sources.
        </p>
        <FieldErrors id={fields.briefings.errorId} errors={fields.briefings.errors} />
        <ol className="mt-4 space-y-6">
          {briefings.map((briefing, index) => {
            const item = briefing.getFieldset();
            return (
              <li key={briefing.key} className="rounded-md border border-slate-300 p-3">
                <h3 className="mb-2 font-semibold">Briefing {index + 1}</h3>
                <div className="grid gap-x-4 sm:grid-cols-2">
                  <SelectField meta={item.kind} label="Kind" choices={kindChoices} />
                  <SelectField meta={item.gate} label="Who may read it" choices={gateChoices} />
                  <TextField
                    meta={item.label}
                    label="Label"
                    hint='Shown above the title, e.g. "Member Briefing"'
                  />
                  <TextField meta={item.title} label="Title" />
                </div>
                <MarkdownField meta={item.body} label="Text" />
                <TextareaField
                  meta={item.sources}
                  label="Sources"
                  hint="One per line: Title | https://url | note (URL and note optional)"
                  rows={3}
                />
                <div className="flex flex-wrap gap-2">
                  <ListButton
                    {...form.remove.getButtonProps({ name: fields.briefings.name, index })}
                  >
                    Remove briefing {index + 1}
                  </ListButton>
                  {index > 0 ? (
                    <ListButton
                      {...form.reorder.getButtonProps({
                        name: fields.briefings.name,
                        from: index,
                        to: index - 1,
                      })}
                    >
                      Move up
                    </ListButton>
                  ) : null}
                </div>
              </li>
            );
          })}
        </ol>
        <div className="mt-3">
          <ListButton
            {...form.insert.getButtonProps({
              name: fields.briefings.name,
              defaultValue: { kind: "profile-briefing", gate: "members", label: "Member Briefing" },
            })}
          >
            Add a briefing
          </ListButton>
        </div>
      </Fieldset>

      <Fieldset legend="Publication">
        <SelectField meta={fields.status} label="Status" choices={STATUS_CHOICES} />
        <TextField
          meta={fields.publishAt}
          label="Publish at (UTC), for a scheduled profile"
          type="datetime-local"
        />
      </Fieldset>

      <div className="mt-6 flex flex-wrap items-center gap-4">
        <SubmitButton>{submitLabel}</SubmitButton>
      </div>
    </Form>
  );
}
