import { randomBytes, randomUUID } from "node:crypto";
import type { AddressInfo } from "node:net";
import {
  type Article,
  DEFAULT_TIERS,
  type Gate,
  LEADERSHIP_ALLIANCE,
  newProfileDocument,
  type ProfileDocument,
  type Role,
  STRATEGIC_CIRCLE,
} from "@briefings/core";
import { type Db, schema } from "@briefings/db/client";
import {
  createProfile,
  followProfile,
  followTopic,
  getDigestPreference,
  loadEditableProfile,
  saveArticles,
  saveTiers,
  setDigestFrequency,
  updateProfile,
} from "@briefings/db/queries";
import { openTestDatabase, type TestDatabase, testDrivers } from "@briefings/db/testing";
import { sql } from "drizzle-orm";
import { type ParsedMail, simpleParser } from "mailparser";
import { SMTPServer } from "smtp-server";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { exportAccountData } from "./accounts.ts";
import {
  chooseDigestFrequency,
  INVALID_UNSUBSCRIBE_LINK,
  sendDueDigests,
  unsubscribeFromDigests,
  unsubscribeToken,
  verifyUnsubscribeToken,
} from "./digest.ts";
import { createMailer, type Mailer } from "./mail.ts";
import { digest } from "./mail-templates.ts";

const APP_URL = "https://briefings.example";
const SECRET = randomBytes(32).toString("hex");
const EDITOR = { id: null, name: "editor@example.org" };
const HOUR = 60 * 60 * 1000;
const DAY = 24 * HOUR;

type Caught = { to: string; subject: string; text: string; html: string; headers: string[] };

/**
 * A real SMTP server in this process that keeps every message with its raw header lines
 * (the shared catcher drops headers, which the unsubscribe tests read).
 */
async function startCatcher() {
  const messages: Caught[] = [];
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ["STARTTLS"],
    logger: false,
    onData(stream, _session, callback) {
      simpleParser(stream).then(
        (mail: ParsedMail) => {
          messages.push({
            to: [mail.to ?? []]
              .flat()
              .flatMap((a) => a.value.map((v) => v.address ?? ""))
              .join(", "),
            subject: mail.subject ?? "",
            text: mail.text ?? "",
            html: mail.html === false ? "" : (mail.html ?? ""),
            // Unfolded, so a long header reads as one line.
            headers: mail.headerLines.map((h) => h.line.replace(/\r?\n[ \t]+/g, " ")),
          });
          callback();
        },
        (error: Error) => callback(error),
      );
    },
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = (server as unknown as { server: { address(): AddressInfo } }).server.address();
  return {
    url: `smtp://127.0.0.1:${port}`,
    messages,
    to: (email: string) => messages.filter((m) => m.to === email),
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

const GATES: Gate[] = [
  { kind: "public" },
  { kind: "members" },
  { kind: "tier", tier: STRATEGIC_CIRCLE },
  { kind: "tier", tier: LEADERSHIP_ALLIANCE },
];

/** One briefing per gate, the canary in its title, body and every field of its source. */
function canaryBriefings(canary: string): ProfileDocument["briefings"] {
  return GATES.map((gate, i) => ({
    kind: "profile-briefing" as const,
    label: `Label ${i}`,
    title: `Title ${canary} ${i}`,
    gate,
    body: `The gated finding is ${canary}.`,
    sources: [{ title: `Source ${canary}`, url: `https://example.org/${canary}`, note: canary }],
  }));
}

function documentFor(slug: string, briefings: ProfileDocument["briefings"] = []): ProfileDocument {
  const blank = newProfileDocument();
  return {
    ...blank,
    status: "published",
    profile: {
      ...blank.profile,
      slug,
      name: `Profile ${slug}`,
      type: "Internet infrastructure institution",
      ecosystem: "Internet governance",
      base: "Global",
      summary: `Summary of ${slug}.`,
      timeHorizon: "Next quarter",
      whatItDoes: ["Runs things"],
      topics: [`Topic ${slug}`],
      confidence: 0.8,
    },
    briefings,
  };
}

function article(key: string, topic: string, publishedDateTime: Date): Article {
  return {
    category: "news",
    title: `News ${key}`,
    excerpt: `Public excerpt of ${key}.`,
    publishedDateTime,
    webUrl: `https://news.example.com/${key}`,
    type: "article",
    quality: 50,
    heat: 50,
    published: true,
    provider: { name: "Example News", domain: "news.example.com" },
    topics: [topic],
    images: [],
    related: [],
    body: "Public body.",
  };
}

describe("digest template", () => {
  const at = new Date("2027-01-02T00:00:00Z");
  const mail = () =>
    digest({
      frequency: "daily",
      profiles: [
        {
          name: `Registry <b>"One"</b>`,
          sections: ["Summary", "A & B"],
          changedAt: at,
          link: `${APP_URL}/profiles/one`,
        },
      ],
      articles: [
        {
          title: "News <script>",
          providerName: "Example & Co",
          excerpt: "word ".repeat(100),
          publishedAt: at,
          link: `${APP_URL}/news/one?x=1&y=2`,
        },
      ],
      watchlistLink: `${APP_URL}/watchlist`,
      unsubscribeLink: `${APP_URL}/unsubscribe?token=t`,
    });

  it("escapes every name in the HTML part and keeps the text part as written", () => {
    const { subject, text, html } = mail();
    expect(subject).toBe("Your daily Briefings digest: 1 profile changed, 1 new article");
    expect(text).toContain(`Registry <b>"One"</b>`);
    expect(text).toContain("Updated 2 January 2027: Summary, A & B");
    expect(html).not.toContain("<b>");
    expect(html).not.toContain("<script>");
    expect(html).toContain("Registry &lt;b&gt;&quot;One&quot;&lt;/b&gt;");
    expect(html).toContain(`href="${APP_URL}/news/one?x=1&amp;y=2"`);
    // Long excerpts are cut at a word.
    expect(text).toMatch(/word…\n/);
  });

  it("refuses links that are not http(s)", () => {
    expect(() =>
      digest({
        frequency: "weekly",
        profiles: [],
        articles: [],
        watchlistLink: "javascript:alert(1)",
        unsubscribeLink: `${APP_URL}/unsubscribe?token=t`,
      }),
    ).toThrow(/http/);
  });
});

describe.each(testDrivers())("digests on %s", (driver) => {
  let database: TestDatabase;
  let db: Db;
  let catcher: Awaited<ReturnType<typeof startCatcher>>;
  let mailer: Mailer;

  const deps = () => ({ db, mailer, appUrl: APP_URL, secret: SECRET });

  async function newMember(
    options: { role?: Role; tier?: string; grant?: string } = {},
  ): Promise<{ id: string; email: string }> {
    const email = `member-${randomUUID()}@example.org`;
    const [row] = await db
      .insert(schema.users)
      .values({
        email,
        passwordHash: "not-a-hash",
        role: options.role ?? "member",
        emailVerifiedAt: new Date(),
      })
      .returning({ id: schema.users.id });
    const id = (row as { id: string }).id;
    if (options.tier)
      await db.insert(schema.tierJoins).values({ userId: id, tierSlug: options.tier });
    if (options.grant)
      await db
        .insert(schema.tierGrants)
        .values({ userId: id, tierSlug: options.grant, reason: "test" });
    return { id, email };
  }

  async function newProfile(slug: string, briefings: ProfileDocument["briefings"] = []) {
    const result = await createProfile(db, EDITOR, documentFor(slug, briefings));
    if (!result.ok) throw new Error(`could not create ${slug}`);
    return result.id;
  }

  /** An editor's save through the real profile editor, at a given time. */
  async function edit(id: string, now: Date, change: (d: ProfileDocument) => ProfileDocument) {
    const current = await loadEditableProfile(db, id);
    if (!current) throw new Error("no profile");
    const result = await updateProfile(db, EDITOR, id, current.version, change(current.document), {
      now,
    });
    if (!result.ok) throw new Error(`save refused: ${result.reason}`);
  }

  const summary = (text: string) => (d: ProfileDocument) => ({
    ...d,
    profile: { ...d.profile, summary: text },
  });

  beforeAll(async () => {
    database = await openTestDatabase(driver);
    db = database.db;
    await saveTiers(db, DEFAULT_TIERS);
    catcher = await startCatcher();
    mailer = createMailer({ smtpUrl: catcher.url, from: "Briefings <no-reply@example.org>", db });
  }, 60_000);
  afterAll(async () => {
    await mailer?.close();
    await catcher?.close();
    await database?.dispose();
  });
  // Each test's members only: nobody stays subscribed into the next test's dates.
  afterEach(async () => {
    await db.execute(sql`UPDATE digest_preferences SET frequency = 'none'`);
  });

  it("mails a follower what an editor changed, with one-click unsubscribe headers", async () => {
    const t0 = new Date("2027-01-01T00:00:00Z");
    const member = await newMember();
    const id = await newProfile("followed");
    expect(await followProfile(db, member.id, "followed")).toMatchObject({ ok: true });
    await setDigestFrequency(db, member.id, "daily", t0);
    await edit(id, new Date(t0.getTime() + HOUR), summary("A new summary."));

    // Not due before a day has passed.
    expect(await sendDueDigests(deps(), new Date(t0.getTime() + DAY - 1))).toEqual({
      sent: 0,
      empty: 0,
      failed: 0,
    });
    expect(await sendDueDigests(deps(), new Date(t0.getTime() + DAY))).toEqual({
      sent: 1,
      empty: 0,
      failed: 0,
    });
    const [mail] = catcher.to(member.email);
    expect(mail?.subject).toBe("Your daily Briefings digest: 1 profile changed");
    expect(mail?.text).toContain("Profile followed");
    expect(mail?.text).toContain("Updated 1 January 2027: Summary");
    expect(mail?.text).toContain(`${APP_URL}/profiles/followed`);
    expect(mail?.text).toContain(`${APP_URL}/watchlist`);
    const link = `${APP_URL}/unsubscribe?token=${unsubscribeToken(SECRET, member.id)}`;
    expect(mail?.text).toContain(link);
    expect(mail?.html).toContain(`href="${link}"`);
    expect(mail?.headers).toContain(`List-Unsubscribe: <${link}>`);
    expect(mail?.headers).toContain("List-Unsubscribe-Post: List-Unsubscribe=One-Click");
    // The summary's text is public, but the digest names sections, not their content.
    expect(mail?.text).not.toContain("A new summary.");
  });

  it("sends nothing when nothing changed, but moves the window on", async () => {
    const t0 = new Date("2027-02-01T00:00:00Z");
    const member = await newMember();
    const id = await newProfile("quiet");
    await followProfile(db, member.id, "quiet");
    await setDigestFrequency(db, member.id, "daily", t0);
    await edit(id, new Date(t0.getTime() - HOUR), summary("Before the window."));
    expect(await sendDueDigests(deps(), new Date(t0.getTime() + DAY))).toEqual({
      sent: 0,
      empty: 1,
      failed: 0,
    });
    expect((await getDigestPreference(db, member.id)).lastDigestAt).toEqual(
      new Date(t0.getTime() + DAY),
    );
    await edit(id, new Date(t0.getTime() + DAY + HOUR), summary("Later."));
    await saveArticles(db, [
      {
        article: article("quiet-news", "Topic quiet", new Date(t0.getTime() + DAY + HOUR)),
        briefings: [],
      },
    ]);
    await followTopic(db, member.id, "topic-quiet");
    expect(await sendDueDigests(deps(), new Date(t0.getTime() + 2 * DAY))).toMatchObject({
      sent: 1,
    });
    const mails = catcher.to(member.email);
    expect(mails).toHaveLength(1);
    expect(mails[0]?.subject).toBe("Your daily Briefings digest: 1 profile changed, 1 new article");
    expect(mails[0]?.text).toContain("News quiet-news");
    expect(mails[0]?.text).toContain(
      "Example News, 2 February 2027 — Public excerpt of quiet-news.",
    );
    expect(mails[0]?.text).toContain(`${APP_URL}/news/`);
  });

  it("sends weekly digests a week apart and daily ones a day apart", async () => {
    const t0 = new Date("2027-03-01T00:00:00Z");
    const daily = await newMember();
    const weekly = await newMember();
    const id = await newProfile("cadence");
    for (const member of [daily, weekly]) {
      await followProfile(db, member.id, "cadence");
    }
    await setDigestFrequency(db, daily.id, "daily", t0);
    await setDigestFrequency(db, weekly.id, "weekly", t0);
    await edit(id, new Date(t0.getTime() + HOUR), summary("Changed."));
    await sendDueDigests(deps(), new Date(t0.getTime() + DAY));
    expect(catcher.to(daily.email)).toHaveLength(1);
    expect(catcher.to(weekly.email)).toHaveLength(0);
    await edit(id, new Date(t0.getTime() + 3 * DAY), summary("Changed again."));
    await sendDueDigests(deps(), new Date(t0.getTime() + 6 * DAY));
    expect(catcher.to(daily.email)).toHaveLength(2);
    expect(catcher.to(weekly.email)).toHaveLength(0);
    await sendDueDigests(deps(), new Date(t0.getTime() + 7 * DAY));
    expect(catcher.to(weekly.email)).toHaveLength(1);
    expect(catcher.to(weekly.email)[0]?.subject).toBe(
      "Your weekly Briefings digest: 1 profile changed",
    );
  });

  it("sends each member exactly one digest when two senders run at once", async () => {
    const t0 = new Date("2027-04-01T00:00:00Z");
    const id = await newProfile("busy");
    const members = await Promise.all(Array.from({ length: 8 }, () => newMember()));
    for (const member of members) {
      await followProfile(db, member.id, "busy");
      await setDigestFrequency(db, member.id, "daily", t0);
    }
    await edit(id, new Date(t0.getTime() + HOUR), summary("Busy."));
    const at = new Date(t0.getTime() + DAY);
    const runs = await Promise.all([
      sendDueDigests(deps(), at, { batchSize: 2 }),
      sendDueDigests(deps(), at, { batchSize: 3 }),
    ]);
    expect(runs.reduce((n, run) => n + run.sent, 0)).toBe(members.length);
    for (const member of members) expect(catcher.to(member.email)).toHaveLength(1);
  });

  it("gives a window back when its mail cannot be sent, and sends it next time", async () => {
    const t0 = new Date("2027-05-01T00:00:00Z");
    const member = await newMember();
    const id = await newProfile("flaky");
    await followProfile(db, member.id, "flaky");
    await setDigestFrequency(db, member.id, "daily", t0);
    await edit(id, new Date(t0.getTime() + HOUR), summary("Flaky."));
    const broken = {
      ...deps(),
      mailer: {
        async send() {
          throw new Error("relay down");
        },
      },
    };
    const logged: object[] = [];
    expect(
      await sendDueDigests(
        { ...broken, logger: { error: (obj) => logged.push(obj) } },
        new Date(t0.getTime() + DAY),
      ),
    ).toEqual({ sent: 0, empty: 0, failed: 1 });
    expect(logged).toHaveLength(1);
    expect(await sendDueDigests(deps(), new Date(t0.getTime() + DAY + 60_000))).toMatchObject({
      sent: 1,
    });
    expect(catcher.to(member.email)[0]?.text).toContain("Profile flaky");
  });

  it("never mails a briefing's text, title or sources, whatever the member's tier", async () => {
    const canary = `CANARY-${randomUUID()}`;
    const t0 = new Date("2027-06-01T00:00:00Z");
    const id = await newProfile("canary-profile", canaryBriefings(canary));
    // An article on the followed topic with a gated briefing of its own.
    await saveArticles(db, [
      {
        article: article("canary-news", "Topic canary-profile", new Date(t0.getTime() + HOUR)),
        briefings: canaryBriefings(canary).map((b, position) => ({
          ...b,
          kind: "analysis" as const,
          position,
          sealed: null,
        })),
      },
    ]);
    const members = await Promise.all([
      newMember(),
      newMember({ tier: STRATEGIC_CIRCLE }),
      newMember({ grant: LEADERSHIP_ALLIANCE }),
      newMember({ role: "editor" }),
      newMember({ role: "admin" }),
      newMember({ role: "owner" }),
    ]);
    for (const member of members) {
      expect(await followProfile(db, member.id, "canary-profile")).toMatchObject({ ok: true });
      expect(await followTopic(db, member.id, "topic-canary-profile")).toMatchObject({ ok: true });
      await setDigestFrequency(db, member.id, "daily", t0);
    }
    // Briefings rewritten (new canaried text, gates moved), and a public field changed.
    await edit(id, new Date(t0.getTime() + HOUR), (d) => ({
      ...summary("Public change.")(d),
      briefings: canaryBriefings(`${canary}-v2`).reverse(),
    }));
    await edit(id, new Date(t0.getTime() + 2 * HOUR), (d) => ({
      ...d,
      briefings: d.briefings.map((b) => ({ ...b, body: `${b.body} ${canary} again` })),
    }));
    const run = await sendDueDigests(deps(), new Date(t0.getTime() + DAY));
    expect(run).toEqual({ sent: members.length, empty: 0, failed: 0 });
    for (const member of members) {
      const [mail] = catcher.to(member.email);
      expect(mail?.text).toContain("Summary, Briefings updated");
      expect(mail?.text).toContain("News canary-news");
      for (const part of [mail?.subject, mail?.text, mail?.html, ...(mail?.headers ?? [])]) {
        expect(part).toBeDefined();
        expect(part).not.toContain(canary);
        expect(part).not.toContain("CANARY");
      }
    }
  });

  it("unsubscribes by a signed link, without a session; a forged one changes nothing", async () => {
    const alice = await newMember();
    const bob = await newMember();
    await setDigestFrequency(db, alice.id, "daily");
    await setDigestFrequency(db, bob.id, "weekly");
    const token = unsubscribeToken(SECRET, alice.id);
    expect(verifyUnsubscribeToken(SECRET, token)).toBe(alice.id);

    const [userPart, signature = ""] = token.split(".");
    const flipped = `${signature[0] === "A" ? "B" : "A"}${signature.slice(1)}`;
    const forged = [
      `${userPart}.${flipped}`,
      `${bob.id}.${signature}`,
      `${userPart}.${signature.slice(0, -1)}`,
      unsubscribeToken("another-secret", alice.id),
      "",
      "not a token",
      `${alice.id}`,
      42,
      null,
    ];
    for (const bad of forged) {
      expect(verifyUnsubscribeToken(SECRET, bad)).toBeNull();
      expect(await unsubscribeFromDigests(db, SECRET, bad)).toEqual({
        ok: false,
        status: 400,
        message: INVALID_UNSUBSCRIBE_LINK,
      });
    }
    expect((await getDigestPreference(db, alice.id)).frequency).toBe("daily");
    expect((await getDigestPreference(db, bob.id)).frequency).toBe("weekly");

    // Alice's link stops Alice's digest only, and works twice.
    expect(await unsubscribeFromDigests(db, SECRET, token)).toEqual({ ok: true });
    expect(await unsubscribeFromDigests(db, SECRET, token)).toEqual({ ok: true });
    expect((await getDigestPreference(db, alice.id)).frequency).toBe("none");
    expect((await getDigestPreference(db, bob.id)).frequency).toBe("weekly");
    // A member who never chose a digest has nothing to stop.
    const carol = await newMember();
    expect(await unsubscribeFromDigests(db, SECRET, unsubscribeToken(SECRET, carol.id))).toEqual({
      ok: true,
    });
    expect((await getDigestPreference(db, carol.id)).frequency).toBe("none");
  });

  it("checks the digest choice, and exports follows and the choice with the account", async () => {
    const member = await newMember();
    await newProfile("exported");
    await followProfile(db, member.id, "exported");
    expect(await chooseDigestFrequency(db, member.id, "hourly")).toEqual({
      ok: false,
      status: 400,
      message: "Choose how often to receive the digest: never, daily or weekly",
    });
    expect(await chooseDigestFrequency(db, member.id, "weekly")).toEqual({
      ok: true,
      frequency: "weekly",
    });
    const exported = await exportAccountData(db, member.id);
    expect(exported?.digest).toEqual({ frequency: "weekly" });
    expect(exported?.following.profiles).toEqual([
      expect.objectContaining({ slug: "exported", name: "Profile exported" }),
    ]);
    expect(exported?.following.topics).toEqual([]);
  });
});
