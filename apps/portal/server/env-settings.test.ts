import { describe, expect, it } from "vitest";
import { publicOriginSchema, trustProxySchema } from "../app/lib/env.server.ts";

describe("TRUST_PROXY", () => {
  it("passes each form Express knows through as Express wants it", () => {
    expect(trustProxySchema.parse(undefined)).toBe(false);
    expect(trustProxySchema.parse("")).toBe(false);
    expect(trustProxySchema.parse("false")).toBe(false);
    expect(trustProxySchema.parse("true")).toBe(true);
    expect(trustProxySchema.parse("2")).toBe(2);
    expect(trustProxySchema.parse("loopback")).toEqual(["loopback"]);
    expect(trustProxySchema.parse("10.0.0.1, 192.168.0.0/16,fd00::/8,loopback")).toEqual([
      "10.0.0.1",
      "192.168.0.0/16",
      "fd00::/8",
      "loopback",
    ]);
    expect(trustProxySchema.parse("10.0.0.0/255.0.0.0")).toEqual(["10.0.0.0/255.0.0.0"]);
  });

  it("rejects what Express would misread or fail on", () => {
    for (const value of ["yes", "proxy.example", "10.0.0.1/33", "10.0.0.1,", "::1/129", "1.2.3"]) {
      expect(trustProxySchema.safeParse(value).success, value).toBe(false);
    }
  });
});

describe("PUBLIC_ORIGIN", () => {
  it("is an origin as browsers write it, or unset", () => {
    expect(publicOriginSchema.parse(undefined)).toBeUndefined();
    expect(publicOriginSchema.parse("")).toBeUndefined();
    expect(publicOriginSchema.parse("https://Briefings.Example:443/")).toBe(
      "https://briefings.example",
    );
    expect(publicOriginSchema.parse("http://localhost:3000")).toBe("http://localhost:3000");
    for (const value of ["briefings.example", "ftp://briefings.example", "https://"]) {
      expect(publicOriginSchema.safeParse(value).success, value).toBe(false);
    }
  });
});
