import {
  changeRoleAsStaff,
  grantTier,
  latestApplication,
  listGrants,
  listUserSessions,
  reinstateMember,
  revokeGrant,
  suspendMember,
  suspensionRefusal,
} from "@briefings/auth";
import {
  activeTierSlugs,
  type EntitlementSource,
  grantSchema,
  isSourceActive,
  ROLES,
} from "@briefings/core";
import { listTiers, loadMemberAccess, loadMemberBilling } from "@briefings/db/queries";
import { getFormProps, type SubmissionResult, useForm } from "@conform-to/react";
import { getZodConstraint, parseWithZod } from "@conform-to/zod/v4";
import type { ReactNode } from "react";
import { data, Form, Link, redirect, useSearchParams } from "react-router";
import { z } from "zod";
import { formatDateTime } from "#app/components/account/format.ts";
import { AdminPage } from "#app/components/admin/admin-nav.tsx";
import { MemberBillingSection } from "#app/components/admin/billing-history.tsx";
import { CELL, DataTable, EmptyState, NOWRAP_CELL } from "#app/components/admin/data-table.tsx";
import { SelectField } from "#app/components/admin/fields.tsx";
import { GeneralErrorBoundary } from "#app/components/error-boundary.tsx";
import {
  FieldErrors,
  FormError,
  Notice,
  SubmitButton,
  TextareaField,
  TextField,
} from "#app/components/forms.tsx";
import { auditActor, failureReplyOptions, requireRole, STAFF_ROLES } from "#app/lib/auth.server.ts";
import { db } from "#app/lib/db.server.ts";
import { formatDate, isoDate, plural } from "#app/lib/format.ts";
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
    columns: {
      id: true,
      email: true,
      role: true,
      emailVerifiedAt: true,
      createdAt: true,
      suspendedAt: true,
      suspendedReason: true,
    },
  });
  if (!member) notFound("There is no member at this address.");
  return member;
}

export async function loader({ request, params, context }: Route.LoaderArgs) {
  const { user } = requireRole(context, request, STAFF_ROLES.admin);
  const id = memberId(params.id);
  const member = await findMember(id);
  const database = await db();
  const [access, grants, tiers, sessions, billing] = await Promise.all([
    loadMemberAccess(database, id),
    listGrants(database, id),
    listTiers(database),
    listUserSessions(database, id),
    loadMemberBilling(database, id),
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
      // suspendMember and reinstateMember enforce the same rule.
      suspensionRefused: suspensionRefusal(
        user,
        member,
        member.suspendedAt ? "reinstate" : "suspend",
      ),
      member: {
        id: member.id,
        email: member.email,
        role: member.role,
        emailVerified: member.emailVerifiedAt !== null,
        createdAt: member.createdAt.toISOString(),
        suspendedAt: member.suspendedAt?.toISOString() ?? null,
        suspendedReason: member.suspendedReason,
      },
      // Only what the list shows: session ids stay on the server.
      sessions: sessions.map((session, index) => ({
        key: index,
        device: session.device,
        createdAt: session.createdAt.toISOString(),
        lastUsedAt: session.lastUsedAt.toISOString(),
      })),
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
      // What Stripe last said about this member's payments (admins only, like the page).
      billing: {
        stripeCustomerId: billing.stripeCustomerId,
        subscriptions: billing.subscriptions.map((subscription) => ({
          id: subscription.id,
          tierName: subscription.tierName,
          status: subscription.status,
          interval: subscription.interval,
          amount: subscription.amount,
          currency: subscription.currency,
          currentPeriodEnd: subscription.currentPeriodEnd.toISOString(),
          cancelAtPeriodEnd: subscription.cancelAtPeriodEnd,
        })),
        invoices: billing.invoices.map((invoice) => ({
          id: invoice.id,
          number: invoice.number,
          status: invoice.status,
          amountDue: invoice.amountDue,
          amountPaid: invoice.amountPaid,
          currency: invoice.currency,
          createdAt: invoice.createdAt.toISOString(),
          hostedInvoiceUrl: invoice.hostedInvoiceUrl,
        })),
        changes: billing.changes.map((change) => ({
          id: change.id,
          at: change.at.toISOString(),
          tierName: change.tierName,
          status: change.status,
          monthlyAmount: change.monthlyAmount,
          currency: change.currency,
          cancelAtPeriodEnd: change.cancelAtPeriodEnd,
        })),
      },
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

/**
 * Suspending or reinstating: a reason, for the audit log (the service checks it again),
 * and a ticked box, so that the change is deliberate, never a stray submission.
 */
const suspensionSchema = z.object({
  reason: z
    .string({ error: "Give a reason" })
    .trim()
    .min(3, { error: "Give a reason (at least 3 characters)" })
    .max(500, { error: "The reason is at most 500 characters" }),
  confirm: z.literal("yes", { error: "Tick the box to confirm" }),
});

const CONFIRM_LABELS = {
  suspend: "Sign this member out everywhere now, and refuse their sign-in until reinstated.",
  reinstate: "Let this member sign in again.",
} as const;

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

  if (intent === "suspend" || intent === "reinstate") {
    const submission = parseWithZod(formData, { schema: suspensionSchema });
    if (submission.status !== "success") {
      return data(
        { intent, result: submission.reply(), formError: null },
        { status: 400, headers: NO_STORE },
      );
    }
    const user = context.user;
    if (!user) throw new Error("requireRole let an anonymous request through");
    const staff = { ...actor, id: user.id, role: user.role };
    const result =
      intent === "suspend"
        ? await suspendMember(database, staff, id, submission.value.reason)
        : await reinstateMember(database, staff, id, submission.value.reason);
    if (!result.ok) {
      return data(
        { intent, result: submission.reply(failureReplyOptions(result, [])), formError: null },
        { status: result.status, headers: NO_STORE },
      );
    }
    const done = "sessionsEnded" in result ? `suspended=${result.sessionsEnded}` : "reinstated=1";
    throw redirect(`/admin/members/${id}?${done}`, { status: 303, headers: NO_STORE });
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
      formError: 'Invalid "intent": must be "grant", "revoke", "role", "suspend" or "reinstate"',
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

function SuspensionForm({
  intent,
  lastResult,
}: {
  intent: "suspend" | "reinstate";
  lastResult: SubmissionResult<string[]> | null | undefined;
}) {
  const [form, fields] = useForm({
    id: intent,
    lastResult,
    constraint: getZodConstraint(suspensionSchema),
    shouldValidate: "onBlur",
    shouldRevalidate: "onInput",
    onValidate: ({ formData }) => parseWithZod(formData, { schema: suspensionSchema }),
  });
  return (
    <Form method="post" {...getFormProps(form)} className="mt-3 max-w-xl">
      <FormError id={form.errorId} errors={form.errors} />
      <TextareaField
        meta={fields.reason}
        label={intent === "suspend" ? "Reason for the suspension" : "Reason for reinstating"}
        hint={
          intent === "suspend"
            ? "For the audit log and other admins; the member is not shown it."
            : "For the audit log, e.g. what was resolved."
        }
        rows={3}
      />
      <div className="mb-4">
        <div className="flex items-start gap-2">
          <input
            id={fields.confirm.id}
            name={fields.confirm.name}
            type="checkbox"
            value="yes"
            required
            aria-invalid={fields.confirm.errors?.length ? true : undefined}
            aria-describedby={fields.confirm.errors?.length ? fields.confirm.errorId : undefined}
            className="mt-1"
          />
          <label htmlFor={fields.confirm.id} className="text-sm">
            {CONFIRM_LABELS[intent]}
          </label>
        </div>
        <FieldErrors id={fields.confirm.errorId} errors={fields.confirm.errors} />
      </div>
      {intent === "suspend" ? (
        <SubmitButton intent="suspend" variant="danger" pendingLabel="Suspending…">
          Suspend this member
        </SubmitButton>
      ) : (
        <SubmitButton intent="reinstate" pendingLabel="Reinstating…">
          Reinstate this member
        </SubmitButton>
      )}
    </Form>
  );
}

export default function AdminMember({ loaderData, actionData }: Route.ComponentProps) {
  const {
    member,
    tiersHeld,
    sources,
    applications,
    grants,
    grantableTiers,
    canChangeRole,
    suspensionRefused,
    sessions,
    billing,
  } = loaderData;
  const [searchParams] = useSearchParams();
  const revokeError =
    actionData &&
    (actionData.intent === "revoke" || actionData.intent === "role" || actionData.intent === null)
      ? actionData.formError
      : null;
  const suspendedSessions = searchParams.get("suspended");
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
        {suspendedSessions !== null && /^\d+$/.test(suspendedSessions) ? (
          <Notice>
            The member is suspended.{" "}
            {suspendedSessions === "0"
              ? "They were not signed in anywhere."
              : `${plural(Number(suspendedSessions), "session")} ended.`}
          </Notice>
        ) : null}
        {searchParams.get("reinstated") === "1" ? (
          <Notice>The member is reinstated and can sign in again.</Notice>
        ) : null}
        <FormError errors={revokeError ? [revokeError] : null} />
      </div>
      <dl className="mt-2 grid max-w-2xl grid-cols-[auto_1fr] gap-x-6 gap-y-1 text-sm">
        <dt className="font-medium text-muted">E-mail address</dt>
        <dd className="break-all">{member.email}</dd>
        <dt className="font-medium text-muted">E-mail verified</dt>
        <dd>{member.emailVerified ? "Yes" : "No"}</dd>
        <dt className="font-medium text-muted">Status</dt>
        <dd data-member-status>
          {member.suspendedAt ? (
            <span className="font-medium text-red-800">
              Suspended since {formatDateTime(member.suspendedAt)}
            </span>
          ) : (
            "Active"
          )}
        </dd>
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

      <Section id="suspension-heading" title="Suspension">
        {member.suspendedAt ? (
          <div className="mt-3 max-w-2xl rounded-md border border-red-200 bg-red-50 px-3 py-2 text-sm text-red-900">
            <p>
              Suspended since{" "}
              <time dateTime={member.suspendedAt}>{formatDateTime(member.suspendedAt)}</time>. The
              member cannot sign in.
            </p>
            {member.suspendedReason ? (
              <p className="mt-1">
                Reason: <span className="whitespace-pre-wrap">{member.suspendedReason}</span>
              </p>
            ) : null}
          </div>
        ) : (
          <p className="mt-2 max-w-2xl text-sm text-muted">
            A suspended member is signed out everywhere at once and cannot sign in until reinstated.
            Their tiers, grants and history are kept.
          </p>
        )}
        {suspensionRefused ? (
          <p className="mt-3 text-sm text-muted">{suspensionRefused}</p>
        ) : (
          <SuspensionForm
            key={member.suspendedAt ? "reinstate" : "suspend"}
            intent={member.suspendedAt ? "reinstate" : "suspend"}
            lastResult={
              actionData?.intent === "suspend" || actionData?.intent === "reinstate"
                ? actionData.result
                : undefined
            }
          />
        )}
      </Section>

      <Section id="sessions-heading" title="Sessions">
        {sessions.length === 0 ? (
          <EmptyState>This member is not signed in anywhere.</EmptyState>
        ) : (
          <DataTable
            caption="Where this member is signed in, most recently used first"
            head={["Device", "Signed in", "Last used"]}
          >
            {sessions.map((session) => (
              <tr key={session.key} data-session>
                <th scope="row" className={`${NOWRAP_CELL} font-medium`}>
                  {session.device || "Unknown device"}
                </th>
                <td className={NOWRAP_CELL}>
                  <time dateTime={session.createdAt}>{formatDateTime(session.createdAt)}</time>
                </td>
                <td className={NOWRAP_CELL}>
                  <time dateTime={session.lastUsedAt}>{formatDateTime(session.lastUsedAt)}</time>
                </td>
              </tr>
            ))}
          </DataTable>
        )}
      </Section>

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

      <Section id="billing-heading" title="Billing">
        <MemberBillingSection billing={billing} />
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
