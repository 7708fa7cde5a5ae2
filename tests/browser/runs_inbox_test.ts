/**
 * The dashboard's run lists in Chromium: Home and Runs name runs by their
 * subject or title, tell "waiting for you" from generating, and follow the
 * workspace live (runs started through the API and by a CLI in another
 * process appear with no reload), at desktop and phone widths.
 */
import assert from "node:assert/strict";
import type { Page } from "playwright-core";
import {
  collectPageErrors,
  launchChromium,
  screenshot,
  startDashboard,
  writeitCommand,
} from "./browser_harness.ts";

const TIMEOUT = 30_000;

const cli = writeitCommand;

async function rowOf(page: Page, text: string) {
  const row = page.locator("tr[data-run-id]", { hasText: text });
  await row.waitFor({ timeout: TIMEOUT });
  return row;
}

Deno.test("dashboard: Home and Runs follow the workspace live, naming runs by subject and telling waiting from done", async () => {
  await using dashboard = await startDashboard();
  await using session = await launchChromium();
  const page = await session.context.newPage();
  const errors = collectPageErrors(page);
  await page.goto(`${dashboard.url}/runs`);
  await page.getByText("No runs yet").waitFor({ timeout: TIMEOUT });
  await page.locator("[data-live=true]").waitFor({ timeout: TIMEOUT });

  // Through the API, the server starts a run that then waits at its first choice.
  const created = await fetch(`${dashboard.url}/api/runs`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({
      pipeline: "quick-article",
      inputs: { topic: "Tide pools at dawn" },
      model: "offline",
      start: true,
    }),
  });
  assert.equal(created.status, 202, await created.clone().text());
  await created.body?.cancel();
  const row = await rowOf(page, "Tide pools at dawn");
  await row.getByText(/waiting for you \(plan\)/).waitFor({ timeout: TIMEOUT });

  // A second run, by a CLI in another process, to the end: it appears on top, named by its article's title, completed.
  const done = await cli(dashboard.home, [
    "run",
    "quick-article",
    "--model",
    "offline",
    "--yes",
    "--input",
    "topic=Lighthouses",
  ]).output();
  assert.equal(done.code, 0, new TextDecoder().decode(done.stderr));
  await page.locator('tr[data-status="completed"]').waitFor({ timeout: TIMEOUT });
  const title = (await page.locator('tr[data-status="completed"] td a').first().textContent()) ??
    "";
  assert.match(title, /Lighthouses/i);
  assert.equal(await page.locator("tr[data-run-id]").count(), 2);
  assert.ok(
    (await page.locator("tr[data-run-id]").first().getAttribute("data-status")) === "completed",
    "the newest run is on top",
  );
  await screenshot(page, "30-runs-live");

  // Home shows the same rows; a filtered list keeps out what does not match.
  await page.goto(`${dashboard.url}/runs?status=completed`);
  await page.locator("[data-live=true]").waitFor({ timeout: TIMEOUT });
  assert.equal(await page.locator("tr[data-run-id]").count(), 1);
  const third = await cli(dashboard.home, [
    "run",
    "quick-article",
    "--model",
    "offline",
    "--input",
    "topic=Not finished",
  ]).output();
  assert.equal(third.code, 0);
  await page.waitForTimeout(1_000);
  assert.equal(await page.locator("tr[data-run-id]").count(), 1, "a paused run stays out");

  // Search across runs by text: a word of one candidate finds its run, and says where.
  const lighthouse = await (await fetch(`${dashboard.url}/api/runs?status=completed`)).json();
  const { run } = await (await fetch(`${dashboard.url}/api/runs/${lighthouse.runs[0].runId}`))
    .json();
  const words = run.steps.write.responses[0].processedContent.match(/[A-Za-z]{9,}/g) as string[];
  const rare = words.find((word) => !/lighthouse/i.test(word))!;
  await page.goto(`${dashboard.url}/runs`);
  await page.getByLabel("Search").fill(`${rare} lighthouses`);
  await page.getByRole("button", { name: "Filter" }).click();
  await page.waitForURL(/[?&]q=/);
  const rows = page.locator("tr[data-run-id]");
  assert.equal(await rows.count(), 1);
  assert.match((await rows.first().getByTestId("match").textContent()) ?? "", new RegExp(rare));
  await screenshot(page, "32-runs-search");
  await page.getByLabel("Search").fill("nothing-like-this-anywhere");
  await page.getByRole("button", { name: "Filter" }).click();
  await page.getByText(/^No run matches “nothing-like-this-anywhere”: /).waitFor({
    timeout: TIMEOUT,
  });

  // On a phone each run is a card: every value is on screen, none cut off.
  const phone = await session.context.newPage();
  await phone.setViewportSize({ width: 390, height: 844 });
  await phone.goto(`${dashboard.url}/`);
  const card = await rowOf(phone, "Not finished");
  for (const label of ["Status", "Tokens", "Cost"]) {
    const box = await card.locator(`td[data-label="${label}"]`).boundingBox();
    assert.ok(
      box && box.x >= 0 && box.x + box.width <= 390,
      `${label} is on screen: ${JSON.stringify(box)}`,
    );
  }
  await screenshot(phone, "31-home-phone");
  assert.deepEqual(errors, []);
});
