import { describe, expect, it } from "vitest";
import { applicationStatusLabel, formatDateTime } from "./format.ts";

describe("formatDateTime", () => {
  it("writes a UTC date and 24-hour time, whatever the machine's zone", () => {
    expect(formatDateTime(new Date("2026-03-03T14:05:09Z"))).toBe("3 Mar 2026, 14:05 UTC");
    expect(formatDateTime("2026-12-31T23:59:59.999Z")).toBe("31 Dec 2026, 23:59 UTC");
    expect(formatDateTime("2026-01-01T00:00:00Z")).toBe("1 Jan 2026, 00:00 UTC");
  });
});

describe("applicationStatusLabel", () => {
  it("labels the known statuses and passes others through", () => {
    expect(applicationStatusLabel("needs-info")).toBe("Needs more information");
    expect(applicationStatusLabel("pending")).toBe("Under review");
    expect(applicationStatusLabel("something-new")).toBe("something-new");
    expect(applicationStatusLabel("toString")).toBe("toString");
  });
});
