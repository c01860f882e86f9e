import { parseAsn, parsePrefix, parseRegistryHandle } from "@briefings/core";

/**
 * An application's evidence, with links that let the reviewer check each item where the
 * registries publish it: RDAP (through rdap.org, which forwards to the registry that
 * holds the record) for AS numbers, prefixes and handles, and bgp.tools for what an AS
 * announces. Only values that parse as what they claim to be become links, and the link
 * is built from the parsed value, so whatever is stored can never become another URL.
 */

type Lookup = { label: string; site: string; href: string };

const EXTERNAL = { target: "_blank", rel: "noopener noreferrer nofollow" } as const;

export function asnLookups(value: string): Lookup[] {
  const parsed = parseAsn(value);
  if (!parsed.ok) return [];
  const number = parsed.value.slice(2);
  return [
    { label: "RDAP", site: "rdap.org", href: `https://rdap.org/autnum/${number}` },
    { label: "bgp.tools", site: "bgp.tools", href: `https://bgp.tools/as/${number}` },
  ];
}

export function prefixLookups(value: string): Lookup[] {
  const parsed = parsePrefix(value);
  // The prefix goes into the path as it is written (rdap.org/ip/192.0.2.0/24).
  return parsed.ok
    ? [{ label: "RDAP", site: "rdap.org", href: `https://rdap.org/ip/${parsed.value}` }]
    : [];
}

export function handleLookups(value: string): Lookup[] {
  const parsed = parseRegistryHandle(value);
  return parsed.ok
    ? [
        {
          label: "RDAP",
          site: "rdap.org",
          href: `https://rdap.org/entity/${encodeURIComponent(parsed.value)}`,
        },
      ]
    : [];
}

/** The URL of an http(s) website as given, or null for anything else. */
export function websiteHref(value: string): string | null {
  try {
    const url = new URL(value);
    return url.protocol === "https:" || url.protocol === "http:" ? url.href : null;
  } catch {
    return null;
  }
}

/** The applicant's website: a link out that passes on no referrer and no endorsement. */
export function WebsiteLink({ website }: { website: string }) {
  const href = websiteHref(website);
  if (!href) return <span className="break-all">{website}</span>;
  return (
    <a href={href} {...EXTERNAL} className="break-all">
      {website}
      <span className="sr-only"> (external site, opens in a new tab)</span>
    </a>
  );
}

function EvidenceList({
  title,
  items,
  lookups,
}: {
  title: string;
  items: readonly string[];
  lookups: (value: string) => Lookup[];
}) {
  const headingId = `evidence-${title.toLowerCase().replace(/[^a-z]+/g, "-")}`;
  return (
    <section aria-labelledby={headingId} className="min-w-0">
      <h3 id={headingId} className="text-sm font-semibold">
        {title} <span className="font-normal text-muted">({items.length})</span>
      </h3>
      {items.length === 0 ? (
        <p className="mt-1 text-sm text-muted">None given.</p>
      ) : (
        <ul className="mt-1 space-y-1 text-sm" data-evidence-list={headingId}>
          {items.map((item) => (
            <li key={item} className="flex flex-wrap items-baseline gap-x-2">
              <span className="break-all font-mono">{item}</span>
              {lookups(item).map((lookup) => (
                <a
                  key={lookup.href}
                  href={lookup.href}
                  {...EXTERNAL}
                  // The name says what is looked up where; it starts with the visible text.
                  aria-label={`${lookup.label} for ${item} (opens ${lookup.site} in a new tab)`}
                  className="text-xs"
                >
                  {lookup.label}
                </a>
              ))}
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}

/** An application's evidence of IP holdings, each item with its lookups. */
export function EvidenceLists({
  evidence,
}: {
  evidence: { asns: readonly string[]; prefixes: readonly string[]; handles: readonly string[] };
}) {
  return (
    <div className="grid gap-4 sm:grid-cols-3">
      <EvidenceList title="AS numbers" items={evidence.asns} lookups={asnLookups} />
      <EvidenceList title="IP prefixes" items={evidence.prefixes} lookups={prefixLookups} />
      <EvidenceList title="Registry handles" items={evidence.handles} lookups={handleLookups} />
    </div>
  );
}
