import { describe, expect, it } from "vitest";
import { alsoReadSchema } from "./profile.ts";

describe("also-read links", () => {
  it("accept site paths and http(s) URLs", () => {
    for (const href of ["/profiles/ripe-ncc", "/news?topic=bgp", "https://example.org/a", null]) {
      expect(alsoReadSchema.safeParse({ title: "T", href }).success, String(href)).toBe(true);
    }
  });

  it("refuse paths a browser would resolve to another host, and other schemes", () => {
    for (const href of [
      "//evil.example/x",
      "/\\evil.example/x",
      "javascript:alert(1)",
      "/a\nb",
      "profiles/x",
    ]) {
      expect(alsoReadSchema.safeParse({ title: "T", href }).success, href).toBe(false);
    }
  });
});
