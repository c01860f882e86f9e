import { latestApplication, submitApplication } from "@briefings/auth";
import {
  applicationFormSchema,
  hasUnsafeApplicationCharacters,
  MAX_EVIDENCE_ITEMS,
} from "@briefings/core";
import { listTiers } from "@briefings/db/queries";
import { getFormProps, useForm } from "@conform-to/react";
import { getZodConstraint, parseWithZod } from "@conform-to/zod/v4";
import type { ReactNode } from "react";
import { data, Form, Link, redirect } from "react-router";
import { GeneralErrorBoundary } from "#app/components/error-boundary.tsx";
import { FormError, SubmitButton, TextareaField, TextField } from "#app/components/forms.tsx";
import { requireUser } from "#app/lib/auth.server.ts";
import { db } from "#app/lib/db.server.ts";
import { formatDate } from "#app/lib/format.ts";
import { notFound, requireSlug, routeHeaders } from "#app/lib/http.server.ts";
import type { Route } from "./+types/membership-apply";

const NO_STORE = { "Cache-Control": "private, no-store" };

/**
 * The application form's schema, and one check more: the website is checked as a URL,
 * which a URL with control characters in it still is, yet it is stored as typed and a
 * NUL byte in text is refused by the database. Like the application's other text, it may
 * not hold bidirectional controls either: the reviewer reads it as typed.
 */
const applySchema = applicationFormSchema.superRefine((value, ctx) => {
  if (hasUnsafeApplicationCharacters(value.website)) {
    ctx.addIssue({
      code: "custom",
      path: ["website"],
      message: "The website address contains control characters",
    });
  }
});

/** The tier in the address, if it exists, is not retired and takes applications; else 404. */
async function applicationTier(slugParam: string | undefined) {
  const slug = requireSlug(slugParam, "membership tier");
  const tier = (await listTiers(await db())).find((t) => t.slug === slug);
  if (!tier || tier.retiredAt || tier.joinMethod !== "application") {
    notFound("There is no membership tier taking applications at this address.");
  }
  return tier;
}

export async function loader({ request, params, context }: Route.LoaderArgs) {
  const { user } = requireUser(context, request);
  const tier = await applicationTier(params.tier);
  const latest = await latestApplication(await db(), user.id, tier.slug);
  return data(
    {
      tier: { slug: tier.slug, name: tier.name, audience: tier.audience },
      emailVerified: user.emailVerified,
      latest: latest
        ? {
            status: latest.status,
            reviewerMessage: latest.reviewerMessage,
            submittedAt: latest.submittedAt.toISOString(),
            // The form is prefilled only when the applicant is asked to update it.
            form:
              latest.status === "needs-info"
                ? {
                    organisation: latest.organisation,
                    website: latest.website,
                    roleTitle: latest.roleTitle,
                    asns: latest.evidence.asns.join("\n"),
                    prefixes: latest.evidence.prefixes.join("\n"),
                    handles: latest.evidence.handles.join("\n"),
                    statement: latest.statement,
                  }
                : null,
          }
        : null,
    },
    { headers: NO_STORE },
  );
}

export const headers: Route.HeadersFunction = routeHeaders;

export const meta: Route.MetaFunction = ({ loaderData }) => [
  {
    title: loaderData
      ? `Apply for ${loaderData.tier.name} — Briefings`
      : "Membership application — Briefings",
  },
];

export async function action({ request, params, context }: Route.ActionArgs) {
  const { user } = requireUser(context, request);
  const tier = await applicationTier(params.tier);
  const formData = await request.formData();
  const submission = parseWithZod(formData, { schema: applySchema });
  if (submission.status !== "success") {
    return data(submission.reply(), { status: 400, headers: NO_STORE });
  }
  const result = await submitApplication(await db(), user.id, tier.slug, submission.value);
  if (!result.ok) {
    return data(
      submission.reply({
        formErrors: [result.formError ?? "The application could not be submitted."],
      }),
      { status: result.status, headers: NO_STORE },
    );
  }
  throw redirect(`/membership?applied=1#${tier.slug}`, { status: 303, headers: NO_STORE });
}

function StatusInstead({ children }: { children: ReactNode }) {
  return (
    <div className="mt-6 max-w-2xl rounded-md border border-sky-200 bg-sky-50 px-4 py-3">
      {children}
    </div>
  );
}

const EVIDENCE_HINT = `One per line (or separated by commas); up to ${MAX_EVIDENCE_ITEMS}.`;

export default function MembershipApply({ loaderData, actionData }: Route.ComponentProps) {
  const { tier, latest, emailVerified } = loaderData;
  const [form, fields] = useForm({
    id: `apply-${tier.slug}`,
    lastResult: actionData,
    defaultValue: latest?.form ?? undefined,
    constraint: getZodConstraint(applySchema),
    shouldValidate: "onBlur",
    shouldRevalidate: "onInput",
    onValidate: ({ formData }) => parseWithZod(formData, { schema: applySchema }),
  });

  const heading = (
    <>
      <p className="text-sm text-muted">
        <Link to={`/membership#${tier.slug}`}>Membership</Link> <span aria-hidden="true">/</span>{" "}
        {tier.name}
      </p>
      <h1 className="mt-1 text-3xl font-semibold tracking-tight">
        {latest?.status === "needs-info"
          ? `Update your ${tier.name} application`
          : `Apply for ${tier.name}`}
      </h1>
    </>
  );

  if (latest?.status === "pending") {
    return (
      <>
        {heading}
        <StatusInstead>
          <p className="font-medium">Your application is under review.</p>
          <p className="mt-1 text-sm">
            It was submitted on {formatDate(latest.submittedAt)}. You will be e-mailed when it is
            decided. <Link to={`/membership#${tier.slug}`}>Back to membership</Link>
          </p>
        </StatusInstead>
      </>
    );
  }
  if (latest?.status === "approved") {
    return (
      <>
        {heading}
        <StatusInstead>
          <p className="font-medium">Approved — you have access to {tier.name}.</p>
          <p className="mt-1 text-sm">
            <Link to={`/membership#${tier.slug}`}>Back to membership</Link>
          </p>
        </StatusInstead>
      </>
    );
  }

  return (
    <>
      {heading}
      <p className="mt-2 max-w-2xl text-muted">
        {tier.name} is for {tier.audience.charAt(0).toLowerCase()}
        {tier.audience.slice(1)}. Tell us about your organisation and give evidence of the IP
        address space or AS numbers it holds: at least one AS number, IP prefix or registry handle.
        An admin reviews every application.
      </p>
      {latest?.status === "needs-info" && latest.reviewerMessage ? (
        <div className="mt-4 max-w-2xl rounded-md border border-amber-300 bg-amber-50 px-4 py-3 text-sm">
          <p className="font-medium">The reviewers asked for more information:</p>
          <p className="mt-1 whitespace-pre-wrap">{latest.reviewerMessage}</p>
        </div>
      ) : null}
      {latest?.status === "rejected" && latest.reviewerMessage ? (
        <div className="mt-4 max-w-2xl rounded-md border border-amber-300 bg-amber-50 px-4 py-3 text-sm">
          <p className="font-medium">Your previous application was not approved:</p>
          <p className="mt-1 whitespace-pre-wrap">{latest.reviewerMessage}</p>
        </div>
      ) : null}
      {emailVerified ? null : (
        <div
          role="note"
          className="mt-4 max-w-2xl rounded-md border border-amber-300 bg-amber-50 px-4 py-3 text-sm"
        >
          Verify your e-mail address before you apply: follow the link we e-mailed you, or send a
          new one from <Link to="/account">your account</Link>.
        </div>
      )}
      <Form method="post" {...getFormProps(form)} className="mt-6 max-w-2xl">
        <FormError id={form.errorId} errors={form.errors} />
        <fieldset className="mb-2">
          <legend className="mb-3 text-lg font-semibold">Your organisation</legend>
          <TextField meta={fields.organisation} label="Organisation" autoComplete="organization" />
          <TextField
            meta={fields.website}
            label="Website"
            type="url"
            inputMode="url"
            autoComplete="url"
            hint="The organisation's website, e.g. https://example.net"
          />
          <TextField
            meta={fields.roleTitle}
            label="Your role"
            autoComplete="organization-title"
            hint="Owners and management only, e.g. CEO, CTO, Head of Network Engineering"
          />
        </fieldset>
        <fieldset className="mb-2">
          <legend className="mb-1 text-lg font-semibold">Evidence of IP holdings</legend>
          <p className="mb-3 text-sm text-muted">
            Give at least one AS number, IP prefix or registry handle held by the organisation.
          </p>
          <TextareaField
            meta={fields.asns}
            label="AS numbers"
            rows={3}
            hint={`${EVIDENCE_HINT} E.g. AS64500 or 64500.`}
          />
          <TextareaField
            meta={fields.prefixes}
            label="IP prefixes"
            rows={3}
            hint={`${EVIDENCE_HINT} E.g. 192.0.2.0/24 or 2001:db8::/32.`}
          />
          <TextareaField
            meta={fields.handles}
            label="Registry handles"
            rows={3}
            hint={`${EVIDENCE_HINT} Organisation or maintainer objects, e.g. ORG-EXA1-RIPE.`}
          />
        </fieldset>
        <TextareaField
          meta={fields.statement}
          label="Statement"
          rows={6}
          hint="Why you are applying, and how you are responsible for the organisation's network (20 to 4000 characters)."
        />
        <SubmitButton pendingLabel="Submitting…">
          {latest?.status === "needs-info" ? "Resubmit application" : "Submit application"}
        </SubmitButton>
      </Form>
    </>
  );
}

export function ErrorBoundary() {
  return <GeneralErrorBoundary />;
}
