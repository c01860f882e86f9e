import { expect, test } from "@playwright/test";
import { fixtureAccount, newAddress, signIn, signUpVerified } from "./support/users.ts";

/**
 * Following: a member follows a profile and a topic, chooses a daily digest; an editor
 * changes the profile's summary; the member's watchlist and the public profile page then
 * name the changed section (never what it said), and the member can unfollow.
 */
test("a member follows a profile, an editor changes it, and the watchlist says what changed", async ({
  browser,
}) => {
  test.setTimeout(150_000);
  const member = await (await browser.newContext()).newPage();
  await signUpVerified(member, { email: newAddress("follower") });

  // A demo profile on a topic: the first one the directory lists for Peering.
  await member.goto("/profiles?topic=peering&sort=name");
  const card = member.getByRole("main").getByRole("listitem").first().getByRole("link").first();
  const name = (await card.textContent())?.trim() ?? "";
  expect(name).toMatch(/^Demo /);
  await card.click();
  await expect(member.getByRole("heading", { level: 1, name })).toBeVisible();
  const profileUrl = member.url();

  await member.getByRole("button", { name: "Follow this profile" }).click();
  await expect(member.getByRole("button", { name: "Unfollow this profile" })).toBeVisible();
  await expect(member.getByRole("status").filter({ hasText: `You follow ${name}` })).toBeVisible();

  await member.goto("/topics/peering");
  await member.getByRole("button", { name: /^Follow/ }).click();
  await expect(member.getByRole("button", { name: /^Unfollow/ })).toBeVisible();

  await member.goto("/watchlist");
  await expect(member.getByRole("heading", { level: 1, name: "Your watchlist" })).toBeVisible();
  const follows = member.getByRole("region", { name: /You follow/ });
  await expect(follows.getByRole("link", { name })).toBeVisible();
  await expect(follows.getByRole("link", { name: "Peering" })).toBeVisible();
  await member.getByRole("radio", { name: /Daily/ }).check();
  await member.getByRole("button", { name: "Save digest choice" }).click();
  await expect(member.getByRole("status").filter({ hasText: "a daily digest" })).toBeVisible();
  await expect(
    member.getByRole("region", { name: "What changed" }).getByRole("link", { name }),
  ).toHaveCount(0);

  // An editor changes the summary.
  const editor = await (await browser.newContext()).newPage();
  const account = fixtureAccount("editor");
  await signIn(editor, account.email, account.password);
  await expect(editor).toHaveURL(/\/account$/);
  await editor.goto(`/admin/profiles?q=${encodeURIComponent(name)}`);
  await editor.getByRole("link", { name, exact: true }).first().click();
  await editor.getByLabel("Summary").fill(`${name} has a new summary, written for the watchlist.`);
  await editor.getByRole("button", { name: "Save", exact: true }).click();
  await expect(editor.getByRole("status").filter({ hasText: "Saved as version" })).toBeVisible();

  await member.goto("/watchlist");
  const change = member
    .getByRole("region", { name: "What changed" })
    .getByRole("listitem")
    .filter({ has: member.getByRole("link", { name }) });
  await expect(change).toContainText("Summary");
  await expect(change).not.toContainText("new summary, written");

  // The public page says the same to everyone.
  const reader = await (await browser.newContext()).newPage();
  await reader.goto(profileUrl);
  const recent = reader.getByRole("region", { name: "Recent changes" });
  await expect(recent).toContainText("Summary");
  await expect(reader.getByRole("link", { name: "Sign in to follow this profile" })).toBeVisible();

  // Unfollow from the watchlist.
  await follows.getByRole("button", { name: `Unfollow ${name}` }).click();
  await expect(follows.getByRole("link", { name })).toHaveCount(0);
});

test("an unsubscribe link with a forged token is refused, with a message that says so", async ({
  request,
}) => {
  const forged = await request.post("/unsubscribe?token=not-a-real-token", {
    form: { "List-Unsubscribe": "One-Click" },
    failOnStatusCode: false,
  });
  expect(forged.status()).toBe(400);
  expect(await forged.text()).toMatch(/link/i);
});
