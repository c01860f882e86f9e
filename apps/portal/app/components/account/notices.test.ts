import { describe, expect, it } from "vitest";
import { ACCOUNT_NOTICES, noticesFor, SIGN_IN_NOTICES } from "./notices.ts";

describe("noticesFor", () => {
  it("shows the notice of each flag set to 1", () => {
    expect(noticesFor(SIGN_IN_NOTICES, new URLSearchParams("verified=1"))).toEqual([
      SIGN_IN_NOTICES.verified,
    ]);
    expect(
      noticesFor(ACCOUNT_NOTICES, new URLSearchParams("email-sent=1&password-changed=1")),
    ).toEqual([ACCOUNT_NOTICES["password-changed"], ACCOUNT_NOTICES["email-sent"]]);
  });

  it("ignores other values, unknown flags and the query's own text", () => {
    const params = new URLSearchParams(
      "verified=0&reset=yes&signed-out=<script>&constructor=1&toString=1&__proto__=1",
    );
    expect(noticesFor(SIGN_IN_NOTICES, params)).toEqual([]);
  });

  it("shows nothing without a query", () => {
    expect(noticesFor(ACCOUNT_NOTICES, new URLSearchParams())).toEqual([]);
  });
});
