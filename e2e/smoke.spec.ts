import { expect, test } from "@playwright/test";

test("home page answers 200 and shows a heading", async ({ page }) => {
  const response = await page.goto("/");
  expect(response, "no response for /").not.toBeNull();
  expect(response?.status()).toBe(200);
  await expect(page.locator("h1").first()).toBeVisible();
});

const nonceOf = (policy: string | null | undefined) =>
  /'nonce-([A-Za-z0-9+/=]{16,})'/.exec(policy ?? "")?.[1];

test("pages' scripts carry their response's CSP nonce, and pages hydrate without a violation", async ({
  page,
  request,
}) => {
  // Console reports (CSP violations, React's hydration errors) and the policy's own
  // events, which fire even where nothing is logged.
  const problems: string[] = [];
  page.on("console", (message) => {
    const text = message.text();
    if (/Content Security Policy|hydrat|Minified React error #4(18|19|23|25)/i.test(text)) {
      problems.push(`${message.type()}: ${text}`);
    }
  });
  page.on("pageerror", (error) => problems.push(`page error: ${error.message}`));
  await page.addInitScript(() => {
    document.addEventListener("securitypolicyviolation", (event) => {
      console.error(
        `Content Security Policy violation: ${event.violatedDirective} ${event.blockedURI} ${event.sourceFile}:${event.lineNumber}:${event.columnNumber} ${event.sample}`,
      );
    });
  });

  /** Opens a page, checks its nonces, then navigates away on the client. */
  const visit = async (url: string, expectedCache: string) => {
    const response = await page.goto(url);
    expect(response?.status(), url).toBe(200);
    expect(await response?.headerValue("x-cache"), url).toBe(expectedCache);
    const policy = await response?.headerValue("content-security-policy");
    const nonce = nonceOf(policy);
    expect(nonce, `no nonce in "${policy}"`).toBeTruthy();
    expect(policy).toContain("'strict-dynamic'");
    // Every script and module preload the server wrote carries exactly this nonce. JSON-LD
    // blocks (`type="application/ld+json"`) are data a browser never runs, outside the
    // policy's reach: they are the one exception, and nothing else may be typed so.
    const html = (await response?.text()) ?? "";
    const tags = (
      html.match(/<script\b[^>]*>|<link\b[^>]*rel="modulepreload"[^>]*>/g) ?? []
    ).filter((tag) => tag !== '<script type="application/ld+json">');
    expect(tags.filter((tag) => tag.startsWith("<script")).length).toBeGreaterThan(0);
    for (const tag of tags) expect(tag, url).toContain(`nonce="${nonce}"`);

    // Hydrated: a click navigates on the client, without loading a new document.
    await page.evaluate(() => {
      (window as unknown as { sameDocument: boolean }).sameDocument = true;
    });
    await page
      .getByRole("navigation", { name: "Main" })
      .getByRole("link", { name: "Profiles" })
      .click();
    await expect(page).toHaveURL(/\/profiles$/);
    await expect(page.getByRole("heading", { level: 1, name: "Profiles" })).toBeVisible();
    expect(
      await page.evaluate(() => (window as unknown as { sameDocument?: boolean }).sameDocument),
    ).toBe(true);
    return { nonce: nonce as string, html };
  };

  // A page rendered for this request (a query string no one else asks for).
  const run = Date.now();
  await visit(`/?smoke=fresh-${run}`, "MISS");

  // A page from the micro-cache: stored by another client's request with that request's
  // nonce, served with this one's.
  const cachedUrl = `/?smoke=cached-${run}`;
  const stored = await request.get(cachedUrl);
  expect(stored.headers()["x-cache"]).toBe("MISS");
  const storedNonce = nonceOf(stored.headers()["content-security-policy"]);
  expect(storedNonce).toBeTruthy();
  const hit = await visit(cachedUrl, "HIT");
  expect(hit.nonce).not.toBe(storedNonce);
  expect(hit.html).not.toContain(storedNonce as string);

  expect(problems).toEqual([]);
});

test("a cross-origin POST is refused before it reaches the app", async ({ request, baseURL }) => {
  const forged = await request.post("/", {
    headers: { Origin: "https://evil.example" },
    failOnStatusCode: false,
  });
  expect(forged.status()).toBe(403);
  expect(await forged.text()).toBe("Cross-origin request refused");

  // The check is on the origin, not on POSTs: from our own origin it reaches React
  // Router, which has no action for "/".
  const own = await request.post("/", {
    headers: { Origin: new URL(baseURL as string).origin },
    failOnStatusCode: false,
  });
  expect(own.status()).toBe(405);
});
