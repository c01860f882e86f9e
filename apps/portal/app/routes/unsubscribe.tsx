import {
  INVALID_UNSUBSCRIBE_LINK,
  unsubscribeFromDigests,
  verifyUnsubscribeToken,
} from "@briefings/auth";
import { data, Form, Link } from "react-router";
import { z } from "zod";
import { AccountPage } from "#app/components/account/account-form.tsx";
import { FormError, SubmitButton } from "#app/components/forms.tsx";
import { PRIVATE_NO_STORE, privateRouteHeaders } from "#app/lib/auth.server.ts";
import { db } from "#app/lib/db.server.ts";
import { unsubscribeSecret } from "#app/lib/digest.server.ts";
import type { Route } from "./+types/unsubscribe";

// The digests' unsubscribe link. It needs no session: the token in the address is an HMAC
// over the member's id and this purpose, made with the server's key. GET only shows a
// button (link scanners open every link in a mail and must not unsubscribe anyone); POST
// unsubscribes, from that button or from the mail client itself (RFC 8058 one-click).
// The component uses nothing from @briefings/auth: that would bundle it for the browser.

export const meta: Route.MetaFunction = () => [
  { title: "Unsubscribe from digests — Briefings" },
  { name: "robots", content: "noindex" },
  // The token is in this page's address: it must not travel on in a Referer header.
  { name: "referrer", content: "no-referrer" },
];

const HEADERS = { ...PRIVATE_NO_STORE, "Referrer-Policy": "no-referrer" };

/** A token as it may arrive: short enough to check, nothing else is read from it here. */
const tokenSchema = z.string().trim().min(1).max(200);

/** The token from the address, or else from the posted form. */
async function tokenOf(request: Request): Promise<string | null> {
  const fromUrl = tokenSchema.safeParse(new URL(request.url).searchParams.get("token"));
  if (fromUrl.success) return fromUrl.data;
  if (request.method !== "POST") return null;
  const form = await request.formData().catch(() => null);
  const fromForm = tokenSchema.safeParse(form?.get("token"));
  return fromForm.success ? fromForm.data : null;
}

export async function loader({ request }: Route.LoaderArgs) {
  const token = await tokenOf(request);
  const valid = token !== null && verifyUnsubscribeToken(await unsubscribeSecret(), token) !== null;
  if (!valid)
    return data(
      { token: null, error: INVALID_UNSUBSCRIBE_LINK },
      { status: 400, headers: HEADERS },
    );
  return data({ token, error: null }, { headers: HEADERS });
}

export async function action({ request }: Route.ActionArgs) {
  const token = await tokenOf(request);
  const result = await unsubscribeFromDigests(await db(), await unsubscribeSecret(), token);
  if (!result.ok)
    return data({ done: false, error: result.message }, { status: 400, headers: HEADERS });
  return data({ done: true, error: null }, { headers: HEADERS });
}

export const headers: Route.HeadersFunction = privateRouteHeaders;

export default function Unsubscribe({ loaderData, actionData }: Route.ComponentProps) {
  if (actionData?.done) {
    return (
      <AccountPage title="You are unsubscribed">
        <p role="status" aria-live="polite">
          You will receive no more digest e-mails. You can choose a daily or weekly digest again on
          your <Link to="/watchlist">watchlist</Link> at any time.
        </p>
      </AccountPage>
    );
  }
  const error = actionData?.error ?? loaderData.error;
  if (!loaderData.token) {
    return (
      <AccountPage title="This link does not work">
        <FormError errors={error ? [error] : null} />
      </AccountPage>
    );
  }
  return (
    <AccountPage
      title="Unsubscribe from digests"
      lead="Stop the daily or weekly e-mails about what you follow. You stay signed up and keep following."
    >
      <Form method="post">
        <FormError errors={error ? [error] : null} />
        <input type="hidden" name="token" value={loaderData.token} />
        <SubmitButton pendingLabel="Unsubscribing…">Unsubscribe</SubmitButton>
      </Form>
    </AccountPage>
  );
}
