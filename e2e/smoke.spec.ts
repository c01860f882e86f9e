import { expect, test } from "@playwright/test";

test("home page answers 200 and shows a heading", async ({ page }) => {
  const response = await page.goto("/");
  expect(response, "no response for /").not.toBeNull();
  expect(response?.status()).toBe(200);
  await expect(page.locator("h1").first()).toBeVisible();
});
