import { parseWithZod } from "@conform-to/zod/v4";
import { describe, expect, it } from "vitest";
import { signInSchema } from "../components/account/schemas.ts";
import {
  failureHeaders,
  failureReplyOptions,
  privateRouteHeaders,
  redirectSignedIn,
  redirectSignedOut,
  rejectSubmission,
} from "./auth.server.ts";

// The form helpers added to auth.server.ts for the account routes.

function formData(entries: Record<string, string>): FormData {
  const form = new FormData();
  for (const [name, value] of Object.entries(entries)) form.append(name, value);
  return form;
}

/** What `data()` wraps: the body and the response init. */
function unwrap(value: unknown) {
  return value as { data: Record<string, unknown>; init: ResponseInit & { headers: HeadersInit } };
}

describe("failureReplyOptions", () => {
  it("puts field errors beside their fields and the form error above the form", () => {
    expect(
      failureReplyOptions({ fieldErrors: { password: ["Too common"] }, formError: "Nope" }),
    ).toEqual({
      fieldErrors: { password: ["Too common"] },
      formErrors: ["Nope"],
      hideFields: ["password", "currentPassword", "newPassword", "token"],
    });
  });

  it("adds no empty error lists", () => {
    expect(failureReplyOptions(null, ["secret"])).toEqual({ hideFields: ["secret"] });
    expect(failureReplyOptions({ formError: "Too many attempts." }, [])).toEqual({
      formErrors: ["Too many attempts."],
      hideFields: [],
    });
  });
});

describe("failureHeaders", () => {
  it("is private, with Retry-After when the service gave one", () => {
    expect(failureHeaders(null)).toEqual({ "Cache-Control": "private, no-store" });
    expect(failureHeaders({ retryAfterSeconds: 90 })).toEqual({
      "Cache-Control": "private, no-store",
      "Retry-After": "90",
    });
  });
});

describe("rejectSubmission", () => {
  const submission = () =>
    parseWithZod(
      formData({ email: "reader@example.test", password: "hunter2-hunter2", next: "/account" }),
      { schema: signInSchema },
    );

  it("answers a service failure with its status, errors and Retry-After", () => {
    const { data, init } = unwrap(
      rejectSubmission(submission(), {
        ok: false,
        status: 429,
        formError: "Too many attempts. Try again in 15 minutes.",
        retryAfterSeconds: 900,
      }),
    );
    expect(init.status).toBe(429);
    expect(init.headers).toEqual({ "Cache-Control": "private, no-store", "Retry-After": "900" });
    expect(data.status).toBe("error");
    expect(data.error).toEqual({ "": ["Too many attempts. Try again in 15 minutes."] });
  });

  it("never echoes the password back into the page", () => {
    const { data } = unwrap(
      rejectSubmission(submission(), {
        ok: false,
        status: 401,
        formError: "The e-mail or password is incorrect.",
      }),
    );
    expect(data.initialValue).toEqual({ email: "reader@example.test", next: "/account" });
    expect(JSON.stringify(data)).not.toContain("hunter2");
  });

  it("answers the schema's own refusals with 400", () => {
    const invalid = parseWithZod(formData({ email: "nope", password: "hunter2" }), {
      schema: signInSchema,
    });
    const { data, init } = unwrap(rejectSubmission(invalid));
    expect(init.status).toBe(400);
    expect(data.error).toMatchObject({ email: ["Enter an e-mail address like name@example.com"] });
    expect(JSON.stringify(data)).not.toContain("hunter2");
  });
});

describe("privateRouteHeaders", () => {
  it("is private and not stored, whatever the loader said", () => {
    const headers = privateRouteHeaders({
      loaderHeaders: new Headers({ "Cache-Control": "public, max-age=60", "X-Other": "1" }),
    });
    expect([...headers]).toEqual([["cache-control", "private, no-store"]]);
  });

  it("passes on Retry-After and Referrer-Policy", () => {
    const headers = privateRouteHeaders({
      loaderHeaders: new Headers({ "Referrer-Policy": "no-referrer" }),
      actionHeaders: new Headers({ "Retry-After": "60" }),
      errorHeaders: undefined,
    });
    expect(headers.get("Cache-Control")).toBe("private, no-store");
    expect(headers.get("Referrer-Policy")).toBe("no-referrer");
    expect(headers.get("Retry-After")).toBe("60");
  });
});

describe("the sign-in and sign-out redirects", () => {
  const expiresAt = new Date("2026-06-01T00:00:00Z");

  it("set the session cookie, Secure over https", () => {
    const response = redirectSignedIn("/account", { token: "t0k3n", session: { expiresAt } }, true);
    expect(response.status).toBe(302);
    expect(response.headers.get("Location")).toBe("/account");
    expect(response.headers.get("Cache-Control")).toBe("private, no-store");
    const cookie = response.headers.get("Set-Cookie") ?? "";
    expect(cookie).toMatch(/^briefings_session=t0k3n; HttpOnly; SameSite=Lax; Path=\//);
    expect(cookie).toContain(`Expires=${expiresAt.toUTCString()}`);
    expect(cookie).toContain("Secure");
  });

  it("make the browser load a download itself", () => {
    const response = redirectSignedIn(
      "/account/export",
      { token: "t", session: { expiresAt } },
      false,
      { document: true },
    );
    expect(response.headers.get("X-Remix-Reload-Document")).toBe("true");
    expect(response.headers.get("Set-Cookie")).not.toContain("Secure");
  });

  it("clear the cookie when signing out", () => {
    const response = redirectSignedOut("/sign-in?signed-out=1", false);
    expect(response.headers.get("Location")).toBe("/sign-in?signed-out=1");
    expect(response.headers.get("Set-Cookie")).toContain("Max-Age=0");
  });
});
