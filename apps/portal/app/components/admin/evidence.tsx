import { parseAsn, parsePrefix } from "@briefings/core";

const EXTERNAL = { target: "_blank", rel: "noopener noreferrer" } as const;

/**
 * Where to look an item of evidence up. Only values that parse as an AS number or a
 * prefix become links, so whatever is stored can never turn into another kind of URL.
 */
function asnHref(value: string): string | null {
  const parsed = parseAsn(value);
  return parsed.ok ? `https://bgp.he.net/${parsed.value}` : null;
}

function prefixHref(value: string): string | null {
  const parsed = parsePrefix(value);
  // The prefix goes into the path as it is written (bgp.he.net/net/192.0.2.0/24).
  return parsed.ok ? `https://bgp.he.net/net/${parsed.value}` : null;
}

function EvidenceList({
  title,
  items,
  href,
}: {
  title: string;
  items: readonly string[];
  href?: (value: string) => string | null;
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
        <ul className="mt-1 space-y-0.5 font-mono text-sm">
          {items.map((item) => {
            const link = href?.(item) ?? null;
            return (
              <li key={item} className="break-all">
                {link ? (
                  <a href={link} {...EXTERNAL}>
                    {item}
                    <span className="sr-only"> (opens bgp.he.net in a new tab)</span>
                  </a>
                ) : (
                  item
                )}
              </li>
            );
          })}
        </ul>
      )}
    </section>
  );
}

/** An application's evidence of IP holdings: AS numbers and prefixes link to bgp.he.net. */
export function EvidenceLists({
  evidence,
}: {
  evidence: { asns: readonly string[]; prefixes: readonly string[]; handles: readonly string[] };
}) {
  return (
    <div className="grid gap-4 sm:grid-cols-3">
      <EvidenceList title="AS numbers" items={evidence.asns} href={asnHref} />
      <EvidenceList title="IP prefixes" items={evidence.prefixes} href={prefixHref} />
      <EvidenceList title="Registry handles" items={evidence.handles} />
    </div>
  );
}
