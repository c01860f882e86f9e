import { describe, expect, it } from "vitest";
import { asnLookups, handleLookups, prefixLookups, websiteHref } from "./evidence.tsx";

const hrefs = (lookups: { href: string }[]) => lookups.map((lookup) => lookup.href);

describe("evidence lookups", () => {
  it("links AS numbers to their RDAP record and to bgp.tools, however they were written", () => {
    for (const asn of ["AS8075", "as8075", " 8075 "]) {
      expect(hrefs(asnLookups(asn))).toEqual([
        "https://rdap.org/autnum/8075",
        "https://bgp.tools/as/8075",
      ]);
    }
  });

  it("links prefixes and registry handles to their RDAP records", () => {
    expect(hrefs(prefixLookups("8.8.8.0/24"))).toEqual(["https://rdap.org/ip/8.8.8.0/24"]);
    expect(hrefs(prefixLookups("2001:4860::/32"))).toEqual(["https://rdap.org/ip/2001:4860::/32"]);
    expect(hrefs(handleLookups("org-exa1-ripe"))).toEqual([
      "https://rdap.org/entity/ORG-EXA1-RIPE",
    ]);
  });

  it("links nothing that does not parse as what it claims to be", () => {
    for (const value of [
      "AS8075/../../evil",
      "javascript:alert(1)",
      "https://evil.example/",
      "AS64500", // documentation range
    ]) {
      expect(asnLookups(value)).toEqual([]);
      expect(prefixLookups(value)).toEqual([]);
    }
    expect(prefixLookups("10.0.0.0/8")).toEqual([]);
    expect(handleLookups("ORG/../x")).toEqual([]);
    expect(handleLookups("?q=1")).toEqual([]);
  });

  it("takes only http and https websites as links", () => {
    expect(websiteHref("https://example.net")).toBe("https://example.net/");
    expect(websiteHref("http://example.net/about")).toBe("http://example.net/about");
    for (const value of ["javascript:alert(1)", "data:text/html,x", "example.net", ""]) {
      expect(websiteHref(value)).toBeNull();
    }
  });
});
