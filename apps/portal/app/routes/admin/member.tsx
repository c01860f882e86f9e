import {
  changeRoleAsStaff,
  grantTier,
  latestApplication,
  listGrants,
  revokeGrant,
} from "@briefings/auth";
import {
  activeTierSlugs,
  type EntitlementSource,
  grantSchema,
  isSourceActive,
  ROLES,
} from "@briefings/core";
import { listTiers, loadMemberAccess } from "@briefings/db/queries";
import { getFormProps, type SubmissionResult, useForm } from "@conform-to/react";
import { getZodConstraint, parseWithZod } from "@conform-to/zod/v4";
import type { ReactNode } from "react";
import { data, Form, Link, redirect, useSearchParams } from "react-router";
import { z } from "zod";
import { AdminPage } from "#app/components/admin/admin-nav.tsx";
import { CELL, DataTable, EmptyState, NOWRAP_CELL } from "#app/components/admin/data-table.tsx";
import { SelectField } from "#app/components/admin/fields.tsx";
import { GeneralErrorBoundary } from "#app/components/error-boundary.tsx";
import { FormError, Notice, SubmitButton, TextField } from "#app/components/forms.tsx";
import { auditActor, requireRole, STAFF_ROLES } from "#app/lib/auth.server.ts";
import { db } from "#app/lib/db.server.ts";
import { formatDate, isoDate } from "#app/lib/format.ts";
import { notFound, routeHeaders } from "#app/lib/http.server.ts";
import type { Route } from "./+types/member";

const NO_STORE = { "Cache-Control": "private, no-store" };

const VIA_LABELS: Record<EntitlementSource["via"], string> = {
  join: "Joined",
  approval: "Application approved",
  grant: "Complimentary grant",
  subscription: "Subscription",
};

/** The id in the address; anything that is not a UUID is a 404 without a query. */
function memberId(value: string | undefined): string {
  const parsed = z.uuid().safeParse(value);
  if (!parsed.success) notFound("There is no member at this address.");
  return parsed.data;
}

async function findMember(id: string) {
  const member = await (await db()).query.users.findFirst({
    where: (users, { eq }) => eq(users.id, id),
    columns: { id: true, email: true, role: true, emailVerifiedAt: true, createdAt: true },
  });
  if (!member) notFound("There is no member at this address.");
  return member;
}

export async function loader({ request, params, context }: Route.LoaderArgs) {
  requireRole(context, request, STAFF_ROLES.admin);
  const id = memberId(params.id);
  const member = await findMember(id);
  const database = await db();
  const [access, grants, tiers] = await Promise.all([
    loadMemberAccess(database, id),
    listGrants(database, id),
    listTiers(database),
  ]);
  if (!access) notFound("There is no member at this address.");
  const tierName = (slug: string) => tiers.find((tier) => tier.slug === slug)?.name ?? slug;
  const now = new Date();
  const applications = await Promise.all(
    Object.keys(access.applications)
      .sort()
      .map((slug) => latestApplication(database, id, slug)),
  );
  return data(
    {
      // Only owners change roles, never their own (changeRoleAsStaff enforces it too).
      canChangeRole: context.user?.role === "owner" && context.user.id !== member.id,
      member: {
        id: member.id,
        email: member.email,
        role: member.role,
        emailVerified: member.emailVerifiedAt !== null,
        createdAt: member.createdAt.toISOString(),
      },
      tiersHeld: activeTierSlugs(access.sources, now).map(tierName),
      sources: access.sources
        .filter((source) => isSourceActive(source, now))
        .map((source) => ({
          tier: tierName(source.tierSlug),
          via: VIA_LABELS[source.via],
          startsAt: source.startsAt.toISOString(),
          endsAt: source.endsAt?.toISOString() ?? null,
        })),
      applications: applications.flatMap((application) =>
        application
          ? [
              {
                id: application.id,
                tier: tierName(application.tierSlug),
                organisation: application.organisation,
                status: application.status,
                submittedAt: application.submittedAt.toISOString(),
              },
            ]
          : [],
      ),
      grants: grants.map((grant) => ({
        id: grant.id,
        tier: tierName(grant.tierSlug),
        startsAt: grant.startsAt.toISOString(),
        endsAt: grant.endsAt?.toISOString() ?? null,
        reason: grant.reason,
        revokedAt: grant.revokedAt?.toISOString() ?? null,
        current:
          grant.revokedAt === null &&
          (grant.endsAt === null || grant.endsAt.getTime() > now.getTime()),
      })),
      grantableTiers: tiers
        .filter((tier) => !tier.retiredAt)
        .map((tier) => ({ value: tier.slug, label: tier.name })),
    },
    { headers: NO_STORE },
  );
}

export const headers: Route.HeadersFunction = routeHeaders;

export const meta: Route.MetaFunction = ({ loaderData }) => [
  {
    title: loaderData
      ? `${loaderData.member.email} — Members — Administration`
      : "Member — Administration",
  },
];

const roleSchema = z.object({
  role: z.enum(ROLES, { error: `must be one of ${ROLES.join(", ")}` }),
});

const revokeSchema = z.object({
  grantId: z.uuid({ error: "must be the id of a grant" }),
});

export async function action({ request, params, context }: Route.ActionArgs) {
  requireRole(context, request, STAFF_ROLES.admin);
  const actor = auditActor(context);
  const id = memberId(params.id);
  await findMember(id);
  const formData = await request.formData();
  const intent = formData.get("intent");
  const database = await db();

  if (intent === "grant") {
    const submission = parseWithZod(formData, { schema: grantSchema });
    if (submission.status !== "success") {
      return data(
        { intent: "grant" as const, result: submission.reply(), formError: null },
        { status: 400, headers: NO_STORE },
      );
    }
    const result = await grantTier(database, actor, id, submission.value);
    if (!result.ok) {
      return data(
        {
          intent: "grant" as const,
          result: submission.reply({ formErrors: [result.formError ?? "Nothing was granted."] }),
          formError: null,
        },
        { status: result.status, headers: NO_STORE },
      );
    }
    throw redirect(`/admin/members/${id}?granted=1`, { status: 303, headers: NO_STORE });
  }

  if (intent === "role") {
    const parsed = roleSchema.safeParse({ role: formData.get("role") ?? undefined });
    if (!parsed.success) {
      return data(
        {
          intent: "role" as const,
          result: null,
          formError: `Invalid "role": ${parsed.error.issues[0]?.message ?? "bad value"}`,
        },
        { status: 400, headers: NO_STORE },
      );
    }
    const user = context.user;
    if (!user) throw new Error("requireRole let an anonymous request through");
    const result = await changeRoleAsStaff(
      database,
      { ...actor, id: user.id, role: user.role },
      id,
      parsed.data.role,
    );
    if (!result.ok) {
      return data(
        {
          intent: "role" as const,
          result: null,
          formError: result.formError ?? "The role was not changed.",
        },
        { status: result.status, headers: NO_STORE },
      );
    }
    throw redirect(`/admin/members/${id}?role-changed=1`, { status: 303, headers: NO_STORE });
  }

  if (intent === "revoke") {
    const parsed = revokeSchema.safeParse({ grantId: formData.get("grantId") ?? undefined });
    if (!parsed.success) {
      return data(
        {
          intent: "revoke" as const,
          result: null,
          formError: `Invalid "grantId": ${parsed.error.issues[0]?.message ?? "bad value"}`,
        },
        { status: 400, headers: NO_STORE },
      );
    }
    // Only this member's grants can be revoked from this member's page.
    const grants = await listGrants(database, id);
    if (!grants.some((grant) => grant.id === parsed.data.grantId)) {
      return data(
        { intent: "revoke" as const, result: null, formError: "This member has no such grant." },
        { status: 404, headers: NO_STORE },
      );
    }
    if (!(await revokeGrant(database, parsed.data.grantId, actor))) {
      return data(
        {
          intent: "revoke" as const,
          result: null,
          formError: "This grant was already revoked.",
        },
        { status: 409, headers: NO_STORE },
      );
    }
    throw redirect(`/admin/members/${id}?revoked=1`, { status: 303, headers: NO_STORE });
  }

  return data(
    {
      intent: null,
      result: null,
      formError: 'Invalid "intent": must be "grant", "revoke" or "role"',
    },
    { status: 400, headers: NO_STORE },
  );
}

const APPLICATION_STATUS_LABELS = {
  pending: "Pending",
  "needs-info": "Needs info",
  approved: "Approved",
  rejected: "Rejected",
} as const;

function Section({ id, title, children }: { id: string; title: string; children: ReactNode }) {
  return (
    <section aria-labelledby={id} className="mt-8">
      <h2 id={id} className="text-xl font-semibold">
        {title}
      </h2>
      {children}
    </section>
  );
}

function GrantForm({
  tiers,
  lastResult,
}: {
  tiers: { value: string; label: string }[];
  lastResult: SubmissionResult<string[]> | null | undefined;
}) {
  const [form, fields] = useForm({
    id: "grant",
    lastResult,
    constraint: getZodConstraint(grantSchema),
    shouldValidate: "onBlur",
    shouldRevalidate: "onInput",
    onValidate: ({ formData }) => parseWithZod(formData, { schema: grantSchema }),
  });
  return (
    <Form method="post" {...getFormProps(form)} className="mt-3 max-w-xl">
      <FormError id={form.errorId} errors={form.errors} />
      <SelectField
        meta={fields.tierSlug}
        label="Tier"
        choices={tiers}
        placeholder="Choose a tier"
      />
      <TextField
        meta={fields.endsAt}
        label="Access ends on"
        type="date"
        hint="The access ends at the start of this day (UTC)."
      />
      <TextField
        meta={fields.reason}
        label="Reason"
        hint="Why this member gets complimentary access, e.g. a speaker at our event."
      />
      <SubmitButton intent="grant" pendingLabel="Granting…">
        Grant complimentary access
      </SubmitButton>
    </Form>
  );
}

export default function AdminMember({ loaderData, actionData }: Route.ComponentProps) {
  const { member, tiersHeld, sources, applications, grants, grantableTiers, canChangeRole } =
    loaderData;
  const [searchParams] = useSearchParams();
  const revokeError = actionData && actionData.intent !== "grant" ? actionData.formError : null;
  return (
    <AdminPage title={member.email}>
      <p className="mt-2 text-sm text-muted">
        <Link to="/admin/members">← Back to members</Link>
      </p>
      <div className="mt-4 max-w-2xl">
        {searchParams.get("granted") === "1" ? (
          <Notice>Complimentary access granted.</Notice>
        ) : null}
        {searchParams.get("revoked") === "1" ? <Notice>The grant was revoked.</Notice> : null}
        {searchParams.get("role-changed") === "1" ? (
          <Notice>The role was changed; the member's sessions have ended.</Notice>
        ) : null}
        <FormError errors={revokeError ? [revokeError] : null} />
      </div>
      <dl className="mt-2 grid max-w-2xl grid-cols-[auto_1fr] gap-x-6 gap-y-1 text-sm">
        <dt className="font-medium text-muted">E-mail address</dt>
        <dd className="break-all">{member.email}</dd>
        <dt className="font-medium text-muted">E-mail verified</dt>
        <dd>{member.emailVerified ? "Yes" : "No"}</dd>
        <dt className="font-medium text-muted">Role</dt>
        <dd>
          {canChangeRole ? (
            <Form method="post" className="flex flex-wrap items-center gap-2">
              <label htmlFor="member-role" className="sr-only">
                Role
              </label>
              <select
                id="member-role"
                name="role"
                defaultValue={member.role}
                className="rounded-md border border-slate-300 bg-white px-2 py-1"
              >
                {ROLES.map((role) => (
                  <option key={role} value={role}>
                    {role}
                  </option>
                ))}
              </select>
              <SubmitButton intent="role" variant="secondary" pendingLabel="Changing…">
                Change role
              </SubmitButton>
            </Form>
          ) : (
            member.role
          )}
        </dd>
        <dt className="font-medium text-muted">Joined</dt>
        <dd>
          <time dateTime={isoDate(member.createdAt)}>{formatDate(member.createdAt)}</time>
        </dd>
        <dt className="font-medium text-muted">Tiers held</dt>
        <dd>{tiersHeld.length > 0 ? tiersHeld.join(", ") : "None"}</dd>
      </dl>

      <Section id="access-heading" title="Access">
        {sources.length === 0 ? (
          <EmptyState>This member holds no tier.</EmptyState>
        ) : (
          <DataTable
            caption="Why this member holds each tier"
            head={["Tier", "How", "Since", "Until"]}
          >
            {sources.map((source) => (
              <tr key={`${source.tier}-${source.via}-${source.startsAt}`}>
                <th scope="row" className={`${NOWRAP_CELL} font-medium`}>
                  {source.tier}
                </th>
                <td className={NOWRAP_CELL}>{source.via}</td>
                <td className={NOWRAP_CELL}>{formatDate(source.startsAt)}</td>
                <td className={NOWRAP_CELL}>
                  {source.endsAt ? formatDate(source.endsAt) : "Until further notice"}
                </td>
              </tr>
            ))}
          </DataTable>
        )}
      </Section>

      <Section id="applications-heading" title="Applications">
        {applications.length === 0 ? (
          <EmptyState>This member has not applied for any tier.</EmptyState>
        ) : (
          <DataTable
            caption="Latest application per tier"
            head={["Tier", "Organisation", "Status", "Submitted"]}
          >
            {applications.map((application) => (
              <tr key={application.id}>
                <th scope="row" className={`${NOWRAP_CELL} font-medium`}>
                  {application.tier}
                </th>
                <td className={CELL}>
                  <Link to={`/admin/applications/${application.id}`}>
                    {application.organisation}
                  </Link>
                </td>
                <td className={NOWRAP_CELL}>{APPLICATION_STATUS_LABELS[application.status]}</td>
                <td className={NOWRAP_CELL}>{formatDate(application.submittedAt)}</td>
              </tr>
            ))}
          </DataTable>
        )}
      </Section>

      <Section id="grants-heading" title="Complimentary access">
        {grants.length === 0 ? (
          <EmptyState>No complimentary access has been granted to this member.</EmptyState>
        ) : (
          <DataTable
            caption="Grants of complimentary access, newest first"
            head={["Tier", "From", "Until", "Reason", "State"]}
          >
            {grants.map((grant) => (
              <tr key={grant.id}>
                <th scope="row" className={`${NOWRAP_CELL} font-medium`}>
                  {grant.tier}
                </th>
                <td className={NOWRAP_CELL}>{formatDate(grant.startsAt)}</td>
                <td className={NOWRAP_CELL}>
                  {grant.endsAt ? formatDate(grant.endsAt) : "Until further notice"}
                </td>
                <td className={CELL}>{grant.reason}</td>
                <td className={NOWRAP_CELL}>
                  {grant.revokedAt ? (
                    `Revoked ${formatDate(grant.revokedAt)}`
                  ) : grant.current ? (
                    <Form method="post">
                      <input type="hidden" name="grantId" value={grant.id} />
                      <SubmitButton intent="revoke" variant="danger" pendingLabel="Revoking…">
                        Revoke<span className="sr-only"> the {grant.tier} grant</span>
                      </SubmitButton>
                    </Form>
                  ) : (
                    "Ended"
                  )}
                </td>
              </tr>
            ))}
          </DataTable>
        )}
        <h3 className="mt-6 text-lg font-semibold">Grant complimentary access</h3>
        <GrantForm
          tiers={grantableTiers}
          lastResult={actionData?.intent === "grant" ? actionData.result : undefined}
        />
      </Section>
    </AdminPage>
  );
}

export function ErrorBoundary() {
  return <GeneralErrorBoundary />;
}
