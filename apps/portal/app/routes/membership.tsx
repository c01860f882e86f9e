import { listTiers } from "@briefings/db/queries";
import { data } from "react-router";
import { db } from "#app/lib/db.server.ts";
import { cacheHeaders, routeHeaders } from "#app/lib/http.server.ts";
import { getViewer } from "#app/lib/viewer.server.ts";
import type { Route } from "./+types/membership";

export const meta: Route.MetaFunction = () => [
  { title: "Membership — Briefings" },
  {
    name: "description",
    content:
      "What each membership tier unlocks and how to join: Strategic Circle and Leadership Alliance.",
  },
];

export async function loader({ request }: Route.LoaderArgs) {
  const viewer = await getViewer(request);
  const tiers = (await listTiers(await db())).filter((tier) => !tier.retiredAt);
  return data({ tiers }, { headers: cacheHeaders(viewer) });
}

export const headers: Route.HeadersFunction = routeHeaders;

const HOW_TO_JOIN = {
  open: "Free. Sign in and join with one click.",
  application:
    "Apply with your organisation, your role and evidence of its IP holdings (AS numbers, prefixes, registry handles). After an editor approves the application, subscribe monthly or yearly.",
  invitation: "By invitation from the publisher.",
} as const;

export default function Membership({ loaderData }: Route.ComponentProps) {
  const { tiers } = loaderData;
  return (
    <>
      <h1 className="text-3xl font-semibold tracking-tight">Membership</h1>
      <p className="mt-2 max-w-3xl text-muted">
        Every profile summary and news item is public. Briefings go deeper: each sits behind a gate,
        and the tiers below unlock them. A higher tier includes everything below it.
      </p>
      <ol className="mt-8 grid gap-6 lg:grid-cols-3">
        <li id="members" className="rounded-lg border border-slate-200 bg-white p-6">
          <h2 className="text-xl font-semibold">Member</h2>
          <p className="mt-1 text-sm text-muted">Any signed-in reader</p>
          <p className="mt-4">Member briefings: the deeper profile context and its source notes.</p>
          <p className="mt-4 text-sm font-medium">How to get it</p>
          <p className="text-sm">Create a free account and sign in.</p>
        </li>
        {tiers.map((tier) => (
          <li
            key={tier.slug}
            id={tier.slug}
            className="rounded-lg border border-slate-200 bg-white p-6"
          >
            <h2 className="text-xl font-semibold">{tier.name}</h2>
            <p className="mt-1 text-sm text-muted">{tier.audience}</p>
            <p className="mt-4">{tier.description}</p>
            {tier.benefits.length > 0 ? (
              <>
                <p className="mt-4 text-sm font-medium">What it unlocks</p>
                <ul className="mt-1 list-disc pl-5 text-sm">
                  {tier.benefits.map((benefit) => (
                    <li key={benefit}>{benefit}</li>
                  ))}
                </ul>
              </>
            ) : null}
            <p className="mt-4 text-sm font-medium">How to get it</p>
            <p className="text-sm">{HOW_TO_JOIN[tier.joinMethod]}</p>
          </li>
        ))}
      </ol>
      <p className="mt-8 rounded-lg bg-slate-100 p-4 text-sm">
        Accounts, joining and applications open with the members' area. Until then every briefing is
        shown as a locked teaser that says what it holds.
      </p>
    </>
  );
}
