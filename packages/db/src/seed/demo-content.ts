import {
  type Article,
  CRITICALITIES,
  LEADERSHIP_ALLIANCE,
  type Profile,
  STRATEGIC_CIRCLE,
  slugify,
} from "@briefings/core";
import type { ArticleInput, BriefingInput, ProfileInput } from "../queries/save-content.ts";

/**
 * Generated demo content, so lists, filters and pagination have something to show.
 * Deterministic for a given seed; every item is named and flagged as demo.
 */

/** mulberry32: a tiny seeded PRNG, so the same seed always yields the same dataset. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const pick = <T>(random: () => number, items: readonly T[]): T =>
  items[Math.floor(random() * items.length)] as T;

const ORGANISATIONS = [
  ["Regional Internet Registry", "Internet number registry", "Institution"],
  ["Internet Exchange Point", "Internet exchange", "Network"],
  ["Transit Carrier", "Network operator", "Company"],
  ["Subsea Cable Consortium", "Subsea cable system", "Network"],
  ["Domain Registry", "Domain name registry", "Institution"],
  ["Root Server Operator", "DNS root server operator", "Institution"],
  ["Cloud Region", "Cloud infrastructure provider", "Company"],
  ["Data Centre Campus", "Data centre operator", "Company"],
  ["Routing Security Initiative", "Internet governance initiative", "Policy"],
  ["Peering Forum", "Industry event", "Event"],
  ["Network Measurement Lab", "Research network", "Technology"],
  ["Spectrum Regulator", "Telecommunications regulator", "Policy"],
] as const;

const PLACES = [
  "Global",
  "Netherlands",
  "Germany",
  "Singapore",
  "Brazil",
  "Kenya",
  "Japan",
  "United States",
  "South Africa",
  "India",
  "France",
  "Chile",
  "Australia",
] as const;

const TOPICS = [
  "BGP",
  "RPKI",
  "DNS",
  "IPv6",
  "Subsea cables",
  "Peering",
  "Data centres",
  "Cloud",
  "Spectrum",
  "Internet governance",
  "Routing security",
  "Azure",
  "Interconnection",
] as const;

const HORIZONS = ["Next quarter", "Next 6 months", "Next 12 months", "Multi-year"] as const;

export function demoBriefings(subject: string, random: () => number): BriefingInput[] {
  const paragraph = (n: number) =>
    `Demo briefing paragraph ${n} on ${subject}: dependency mapping, counterpart exposure and the signals to watch over the ${pick(random, HORIZONS).toLowerCase()}.`;
  return [
    {
      kind: "profile-briefing",
      label: "Member Briefing",
      title: "Deeper Profile Context",
      gate: { kind: "members" },
      position: 0,
      body: `## Context\n\n${paragraph(1)}\n\n## Dependencies\n\n${paragraph(2)}`,
      sources: [],
      sealed: null,
    },
    {
      kind: "analysis",
      label: "Only for Strategic Circle",
      title: "Strategic Circle Access",
      gate: { kind: "tier", tier: STRATEGIC_CIRCLE },
      position: 1,
      body: `## Strategic assessment\n\n${paragraph(3)}\n\n${paragraph(4)}`,
      sources: [{ title: `Demo source note on ${subject}`, url: null, note: "Demo note." }],
      sealed: null,
    },
    {
      kind: "source-notes",
      label: "Only for Leadership Alliance",
      title: "Leadership Alliance Access",
      gate: { kind: "tier", tier: LEADERSHIP_ALLIANCE },
      position: 2,
      body: `## Leadership notes\n\n${paragraph(5)}\n\n## Source notes\n\n${paragraph(6)}\n\n## Outlook\n\n${paragraph(7)}`,
      sources: [
        { title: "Demo registry record", url: "https://example.org/registry", note: "Demo." },
        { title: "Demo operator filing", url: "https://example.org/filing", note: "Demo." },
      ],
      sealed: null,
    },
  ];
}

/** Demo profiles are dated before the seed profile, so the real one leads the lists. */
export function generateDemoProfiles(count: number, seed = 1): ProfileInput[] {
  const random = seededRandom(seed);
  const start = Date.UTC(2023, 0, 1);
  return Array.from({ length: count }, (_, i) => {
    const [kind, type, focus] = pick(random, ORGANISATIONS);
    const base = pick(random, PLACES);
    const name = `Demo ${base === "Global" ? "Global" : base} ${kind} ${i + 1}`;
    const publishedAt = new Date(start + Math.floor(random() * 480) * 86_400_000);
    const topics = [...new Set([pick(random, TOPICS), pick(random, TOPICS)])];
    const profile: Profile = {
      slug: slugify(name),
      name,
      type,
      ecosystem: "Internet infrastructure",
      base,
      focus,
      summary: `${name} is a generated demo profile: a ${type.toLowerCase()} used to show the directory, its filters and pagination. It is not a real organisation.`,
      whatItDoes: [`Operates as a ${type.toLowerCase()} (demo data).`],
      whyItMatters: ["Demo signal: dependency and visibility analysis."],
      criticality: pick(random, CRITICALITIES),
      timeHorizon: pick(random, HORIZONS),
      whatToWatch: ["Demo watch item: governance and relationship changes."],
      keyPoints: [
        `${name} is demo content generated for this installation.`,
        `Tracked topics: ${topics.join(", ")}.`,
      ],
      sections: [
        {
          heading: "Demo overview",
          paragraphs: [`This section shows how body sections of ${name} are laid out.`],
        },
      ],
      sources: [
        {
          title: `Demo public record for ${name}`,
          publisher: "Example Registry",
          url: `https://example.org/records/${i + 1}`,
          publishedAt,
        },
      ],
      sourcesNote: null,
      alsoRead: [],
      topics,
      confidence: Math.round(random() * 100) / 100,
      publishedAt,
      lastReviewedAt: publishedAt,
      updatedAt: publishedAt,
    };
    return { profile, briefings: demoBriefings(name, random), isDemo: true };
  });
}

const PROVIDERS = [
  { name: "Example Network News", domain: "news.example.com" },
  { name: "Demo Infrastructure Weekly", domain: "weekly.example.org" },
  { name: "Sample Policy Review", domain: "policy.example.net" },
] as const;

export function generateDemoArticles(
  count: number,
  profileSlugs: readonly string[],
  seed = 2,
): ArticleInput[] {
  const random = seededRandom(seed);
  // Before the seed article (July 2020), so it leads the news.
  const start = Date.UTC(2018, 6, 1);
  return Array.from({ length: count }, (_, i) => {
    const topic = pick(random, TOPICS);
    const provider = pick(random, PROVIDERS);
    const title = `Demo news ${i + 1}: ${topic} developments to watch`;
    const article: Article = {
      category: "news",
      title,
      excerpt: `A generated demo article about ${topic}, used to show the news list and pagination. Not real reporting.`,
      publishedDateTime: new Date(start + Math.floor(random() * 700 * 24) * 3_600_000),
      webUrl: `https://${provider.domain}/demo/${i + 1}`,
      type: "article",
      quality: Math.floor(random() * 101),
      heat: Math.floor(random() * 101),
      published: true,
      provider: { ...provider },
      topics: [topic],
      images: [],
      related: [],
      body: "",
    };
    const briefing: BriefingInput = {
      kind: "premium-text",
      label: "Premium analysis",
      title: `Analysis: ${topic} developments`,
      gate: { kind: "tier", tier: STRATEGIC_CIRCLE },
      position: 0,
      body: `## Analysis\n\nDemo premium analysis of ${topic} for article ${i + 1}.`,
      sources: [],
      sealed: null,
    };
    const mentions = profileSlugs.length > 0 ? [pick(random, profileSlugs)] : [];
    return { article, briefings: [briefing], mentions, isDemo: true };
  });
}
