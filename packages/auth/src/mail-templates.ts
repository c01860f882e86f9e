/**
 * The e-mails Briefings sends, as pure functions of their data. Plain text comes first
 * (it is what many readers and every spam filter see); the HTML part says the same thing
 * with a clickable button and escapes every interpolated value.
 */

export const PRODUCT_NAME = "Briefings";

export type MailContent = { subject: string; text: string; html: string };

/** Escapes text for HTML element content and quoted attribute values. */
export function escapeHtml(value: string): string {
  return value
    .replaceAll("&", "&amp;")
    .replaceAll("<", "&lt;")
    .replaceAll(">", "&gt;")
    .replaceAll('"', "&quot;")
    .replaceAll("'", "&#39;");
}

/**
 * Links are made by the app, never typed by users, but a `javascript:` URL in an href
 * would survive HTML escaping, so anything but http(s) is a programming error.
 */
function checkedLink(link: string): string {
  let url: URL;
  try {
    url = new URL(link);
  } catch {
    throw new Error(`Mail link is not a URL: ${link}`);
  }
  if (url.protocol !== "https:" && url.protocol !== "http:") {
    throw new Error(`Mail link must be http(s): ${link}`);
  }
  return link;
}

/** Escaped text with its line breaks kept (reviewer messages are multi-line). */
function paragraphHtml(text: string): string {
  return escapeHtml(text).replace(/\r?\n/g, "<br>");
}

type Block =
  | { kind: "p"; text: string }
  | { kind: "button"; label: string; link: string }
  | { kind: "quote"; text: string }
  | { kind: "heading"; text: string }
  | { kind: "item"; title: string; detail: string; link: string }
  | { kind: "small"; text: string; link?: string };

function blockText(block: Block): string {
  switch (block.kind) {
    case "p":
      return block.text;
    case "button":
      return `${block.label}:\n${block.link}`;
    case "quote":
      return block.text
        .split(/\r?\n/)
        .map((line) => `> ${line}`)
        .join("\n");
    case "heading":
      return `${block.text}\n${"=".repeat(Math.min(block.text.length, 60))}`;
    case "item":
      return `* ${block.title}\n  ${block.detail}\n  ${block.link}`;
    case "small":
      return block.link ? `${block.text}\n${block.link}` : block.text;
  }
}

function blockHtml(block: Block): string {
  switch (block.kind) {
    case "p":
      return `<p style="margin:0 0 16px">${paragraphHtml(block.text)}</p>`;
    case "button": {
      const href = escapeHtml(block.link);
      return (
        `<p style="margin:0 0 16px"><a href="${href}" style="display:inline-block;padding:10px 18px;` +
        `background:#1d3557;color:#ffffff;text-decoration:none;border-radius:4px">${escapeHtml(block.label)}</a></p>` +
        `<p style="margin:0 0 16px;font-size:13px;color:#555555">If the button does not work, copy this address into your browser:<br>` +
        `<a href="${href}" style="color:#1d3557;word-break:break-all">${href}</a></p>`
      );
    }
    case "quote":
      return `<blockquote style="margin:0 0 16px;padding:8px 12px;border-left:3px solid #cccccc;color:#333333">${paragraphHtml(block.text)}</blockquote>`;
    case "heading":
      return `<h2 style="margin:24px 0 8px;font-size:17px">${escapeHtml(block.text)}</h2>`;
    case "item":
      return (
        `<p style="margin:0 0 12px"><a href="${escapeHtml(block.link)}" style="color:#1d3557;font-weight:bold">${escapeHtml(block.title)}</a>` +
        `<br><span style="color:#555555">${escapeHtml(block.detail)}</span></p>`
      );
    case "small":
      return (
        `<p style="margin:16px 0 0;font-size:12px;color:#777777">${paragraphHtml(block.text)}` +
        (block.link
          ? ` <a href="${escapeHtml(block.link)}" style="color:#777777">${escapeHtml(block.link)}</a>`
          : "") +
        "</p>"
      );
  }
}

/** Renders the blocks twice: as plain text and as a minimal, inline-styled HTML page. */
function render(subject: string, blocks: Block[]): MailContent {
  const text = `${blocks.map(blockText).join("\n\n")}\n\n-- \n${PRODUCT_NAME}\n`;
  const html =
    `<!doctype html><html><head><meta charset="utf-8"><title>${escapeHtml(subject)}</title></head>` +
    `<body style="margin:0;padding:24px;font-family:Helvetica,Arial,sans-serif;font-size:15px;line-height:1.5;color:#111111">` +
    `<div style="max-width:560px">${blocks.map(blockHtml).join("")}` +
    `<p style="margin:24px 0 0;font-size:12px;color:#777777">${PRODUCT_NAME}</p></div></body></html>`;
  return { subject, text, html };
}

/** After sign-up: confirms the address belongs to whoever signed up. */
export function verifyEmail({ link }: { link: string }): MailContent {
  return render(`Confirm your e-mail address for ${PRODUCT_NAME}`, [
    { kind: "p", text: `Welcome to ${PRODUCT_NAME}. Please confirm your e-mail address.` },
    { kind: "button", label: "Confirm e-mail address", link: checkedLink(link) },
    {
      kind: "p",
      text: `The link expires in 48 hours. If you did not create a ${PRODUCT_NAME} account, you can ignore this message.`,
    },
  ]);
}

export function resetPassword({ link }: { link: string }): MailContent {
  return render(`Reset your ${PRODUCT_NAME} password`, [
    { kind: "p", text: `Someone asked to reset the password of your ${PRODUCT_NAME} account.` },
    { kind: "button", label: "Choose a new password", link: checkedLink(link) },
    {
      kind: "p",
      text: "The link expires in 1 hour and works once. If you did not ask for this, ignore this message: your password stays the same.",
    },
  ]);
}

/** Sent to a member whose account an admin made: set a password to sign in. */
export function invitation({ link }: { link: string }): MailContent {
  return render(`Your ${PRODUCT_NAME} account is ready`, [
    {
      kind: "p",
      text: `An account was made for you at ${PRODUCT_NAME}, with this address. Choose a password to sign in and read the briefings your membership opens.`,
    },
    { kind: "button", label: "Choose your password", link: checkedLink(link) },
    {
      kind: "p",
      text: `The link expires in 7 days and works once. Later, "Forgot your password?" on the sign-in page sends a new one. If you did not expect this, ignore this message.`,
    },
  ]);
}

/** Sent to the new address: the change only happens once its owner confirms. */
export function changeEmail({ link, newEmail }: { link: string; newEmail: string }): MailContent {
  return render(`Confirm your new e-mail address for ${PRODUCT_NAME}`, [
    {
      kind: "p",
      text: `You asked to change the e-mail address of your ${PRODUCT_NAME} account to ${newEmail}.`,
    },
    { kind: "button", label: "Confirm the new address", link: checkedLink(link) },
    {
      kind: "p",
      text: "The link expires in 1 hour. If you did not ask for this, ignore this message: nothing changes.",
    },
  ]);
}

/**
 * Sent instead of a verification mail when someone signs up with an address that is
 * already registered, so the sign-up form answers the same either way and does not
 * reveal who has an account.
 */
export function accountExists({
  signInLink,
  resetLink,
}: {
  signInLink: string;
  resetLink: string;
}): MailContent {
  return render(`You already have a ${PRODUCT_NAME} account`, [
    {
      kind: "p",
      text: `Someone tried to create a ${PRODUCT_NAME} account with this e-mail address, but it already has one.`,
    },
    { kind: "button", label: "Sign in", link: checkedLink(signInLink) },
    { kind: "p", text: "Forgotten your password? You can choose a new one:" },
    { kind: "button", label: "Reset your password", link: checkedLink(resetLink) },
    {
      kind: "p",
      text: "If this was not you, you can ignore this message: your account has not changed.",
    },
  ]);
}

export type ApplicationDecision = "approved" | "rejected" | "needs-info";

export function applicationDecision({
  tierName,
  decision,
  message,
  link,
  paid = false,
}: {
  tierName: string;
  decision: ApplicationDecision;
  /** A paid tier: approval leads to payment, and the mail says so. */
  paid?: boolean;
  /** The reviewer's words to the applicant: shown as written, escaped in HTML. */
  message?: string;
  link: string;
}): MailContent {
  const trimmed = message?.trim();
  const reviewerNote: Block[] = trimmed
    ? [
        { kind: "p", text: "Message from the reviewer:" },
        { kind: "quote", text: trimmed },
      ]
    : [];
  const checked = checkedLink(link);
  switch (decision) {
    case "approved":
      return render(`Your ${tierName} application was approved`, [
        { kind: "p", text: `Good news: your application to join ${tierName} was approved.` },
        ...(paid
          ? [
              {
                kind: "p" as const,
                text: `Subscribe, monthly or yearly, to start reading ${tierName} briefings.`,
              },
            ]
          : []),
        ...reviewerNote,
        paid
          ? { kind: "button", label: "Subscribe", link: checked }
          : { kind: "button", label: "Open Briefings", link: checked },
      ]);
    case "rejected":
      return render(`Your ${tierName} application`, [
        {
          kind: "p",
          text: `Thank you for applying to ${tierName}. It was not approved this time.`,
        },
        ...reviewerNote,
        { kind: "button", label: "View your application", link: checked },
      ]);
    case "needs-info":
      return render(`Your ${tierName} application needs more information`, [
        {
          kind: "p",
          text: `Your application to join ${tierName} needs more information before it can be decided.`,
        },
        ...reviewerNote,
        { kind: "button", label: "Update your application", link: checked },
      ]);
  }
}

/** A notice after any password change, so an account takeover does not go unnoticed. */
export function passwordChanged({ resetLink }: { resetLink?: string } = {}): MailContent {
  return render(`Your ${PRODUCT_NAME} password was changed`, [
    { kind: "p", text: `The password of your ${PRODUCT_NAME} account was just changed.` },
    ...(resetLink
      ? [
          {
            kind: "p",
            text: "If this was not you, reset your password now:",
          } as const,
          { kind: "button", label: "Reset your password", link: checkedLink(resetLink) } as const,
        ]
      : [
          {
            kind: "p",
            text: "If this was not you, reset your password right away from the sign-in page.",
          } as const,
        ]),
  ]);
}

/**
 * To the current address when a change of address is requested: if its owner did not ask
 * for it, resetting the password cancels the pending change.
 */
export function emailChangeRequested({
  newEmail,
  resetLink,
}: {
  newEmail: string;
  resetLink: string;
}): MailContent {
  return render(`A change of your ${PRODUCT_NAME} e-mail address was requested`, [
    {
      kind: "p",
      text: `Someone signed in to your ${PRODUCT_NAME} account asked to move it to ${newEmail}. The change happens only when that address confirms it, within an hour.`,
    },
    {
      kind: "p",
      text: "If this was not you, reset your password now: that cancels the change and signs everyone out.",
    },
    { kind: "button", label: "Reset your password", link: checkedLink(resetLink) },
  ]);
}

// ---------------------------------------------------------------------------------------
// Digests of what a member follows. Only public text goes in: profile names, the names of
// the sections that changed, article titles, providers and excerpts.

export type DigestProfileEntry = {
  name: string;
  sections: string[];
  changedAt: Date;
  link: string;
};

export type DigestArticleEntry = {
  title: string;
  providerName: string;
  excerpt: string;
  publishedAt: Date;
  link: string;
};

const digestDate = new Intl.DateTimeFormat("en-GB", {
  day: "numeric",
  month: "long",
  year: "numeric",
  timeZone: "UTC",
});

/** An excerpt cut at a word, so a long one does not fill the mail. */
function shortExcerpt(text: string, max = 200): string {
  const flat = text.replace(/\s+/g, " ").trim();
  if (flat.length <= max) return flat;
  const cut = flat.slice(0, max);
  return `${cut.slice(0, Math.max(cut.lastIndexOf(" "), max / 2)).trimEnd()}…`;
}

function count(n: number, one: string, many: string): string {
  return `${n} ${n === 1 ? one : many}`;
}

/**
 * The daily or weekly digest: profiles whose public sections changed and new articles on
 * what the member follows, with a link to the watchlist and a one-click unsubscribe link.
 */
export function digest({
  frequency,
  profiles,
  articles,
  watchlistLink,
  unsubscribeLink,
}: {
  frequency: "daily" | "weekly";
  profiles: DigestProfileEntry[];
  articles: DigestArticleEntry[];
  watchlistLink: string;
  unsubscribeLink: string;
}): MailContent {
  const parts = [
    profiles.length ? count(profiles.length, "profile changed", "profiles changed") : null,
    articles.length ? count(articles.length, "new article", "new articles") : null,
  ].filter(Boolean);
  const blocks: Block[] = [
    {
      kind: "p",
      text: `Here is what changed in what you follow on ${PRODUCT_NAME} since your last ${frequency} digest.`,
    },
  ];
  if (profiles.length) {
    blocks.push({ kind: "heading", text: "Profiles that changed" });
    for (const entry of profiles) {
      blocks.push({
        kind: "item",
        title: entry.name,
        detail: `Updated ${digestDate.format(entry.changedAt)}: ${entry.sections.join(", ")}`,
        link: checkedLink(entry.link),
      });
    }
  }
  if (articles.length) {
    blocks.push({ kind: "heading", text: "New articles" });
    for (const entry of articles) {
      const excerpt = shortExcerpt(entry.excerpt);
      blocks.push({
        kind: "item",
        title: entry.title,
        detail: `${entry.providerName}, ${digestDate.format(entry.publishedAt)}${excerpt ? ` — ${excerpt}` : ""}`,
        link: checkedLink(entry.link),
      });
    }
  }
  blocks.push(
    { kind: "button", label: "Open your watchlist", link: checkedLink(watchlistLink) },
    {
      kind: "small",
      text: `You receive this ${frequency} digest because you asked for it. To stop it with one click, open:`,
      link: checkedLink(unsubscribeLink),
    },
  );
  return render(`Your ${frequency} ${PRODUCT_NAME} digest: ${parts.join(", ")}`, blocks);
}
