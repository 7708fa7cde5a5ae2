/**
 * Focused compare in Chromium: three ticked candidates side by side at
 * full height, scrolling together, with a word diff against the first, and
 * paragraphs taken from two of them into an edit saved without a model call.
 */
import assert from "node:assert/strict";
import { WriteItClient } from "../../client/mod.ts";
import {
  collectPageErrors,
  launchChromium,
  screenshot,
  startDashboard,
} from "./browser_harness.ts";

const TIMEOUT = 30_000;

Deno.test("dashboard: compare three candidates side by side and build an edit from their paragraphs", async () => {
  await using dashboard = await startDashboard();
  await using session = await launchChromium({ viewport: { width: 1440, height: 600 } });
  const client = new WriteItClient({ baseUrl: dashboard.url });
  const { run } = await client.createRun({
    pipeline: "quick-article",
    inputs: { topic: "Rivers" },
    model: "offline",
    responses: 3,
    start: true,
  });
  let state = await client.getRun(run.runId);
  for (let tries = 0; tries < 300 && state.steps.plan.status !== "awaiting_selection"; tries++) {
    await new Promise((resolve) => setTimeout(resolve, 50));
    state = await client.getRun(run.runId);
  }
  assert.equal(state.steps.plan.responses.length, 3);
  const texts = state.steps.plan.responses.map((response) => response.processedContent);

  const page = await session.context.newPage();
  const errors = collectPageErrors(page);
  await page.goto(`${dashboard.url}/runs/${run.runId}`);
  await page.locator('[data-island="RunView"][data-hydrated="true"]').waitFor();
  const plan = page.locator("details#step-plan");
  for (const number of [1, 2, 3]) {
    await plan.getByRole("checkbox", { name: `Merge candidate ${number} from offline` }).check();
  }
  await plan.getByRole("button", { name: "Compare ticked (3)" }).click();
  const compare = page.getByTestId("focused-compare");
  await compare.waitFor({ timeout: TIMEOUT });
  const columns = compare.getByTestId("compare-column");
  assert.equal(await columns.count(), 3);

  // The columns scroll together.
  const scrolled = await compare.locator(".compare-columns").evaluate(async (grid) => {
    const all = [...grid.children] as HTMLElement[];
    const room = (element: HTMLElement) => element.scrollHeight - element.clientHeight;
    const [source, ...others] = [...all].sort((a, b) => room(b) - room(a));
    source.scrollTop = room(source) / 2;
    source.dispatchEvent(new Event("scroll"));
    await new Promise((resolve) => setTimeout(resolve, 100));
    const follower = others.find((element) => room(element) > 20);
    return { source: source.scrollTop, follower: follower?.scrollTop };
  });
  assert.ok(scrolled.source > 0, JSON.stringify(scrolled));
  if (scrolled.follower !== undefined) assert.ok(scrolled.follower > 0, JSON.stringify(scrolled));
  await screenshot(page, "60-focused-compare");

  // The word diff against the first.
  await compare.getByLabel("Word diff against 1").check();
  await compare.getByTestId("diff").first().waitFor({ timeout: TIMEOUT });
  assert.equal(await compare.getByTestId("diff").count(), 2);
  await compare.getByLabel("Word diff against 1").uncheck();

  // Take the opening of 2 and the second paragraph of 3, then save them as an edit.
  await compare.getByRole("button", { name: "Take paragraph 1 of candidate 2 into the edit" })
    .click();
  await compare.getByRole("button", { name: "Take paragraph 2 of candidate 3 into the edit" })
    .click();
  const draft = await page.locator("#compare-draft").inputValue();
  const expected = `${texts[1].split(/\n{2,}/)[0].trim()}\n\n${texts[2].split(/\n{2,}/)[1].trim()}`;
  assert.equal(draft, expected);
  await screenshot(page, "61-compare-draft");
  await compare.getByRole("button", { name: "Save as an edit" }).click();
  await plan.and(page.locator('[data-status="completed"]')).waitFor({ timeout: TIMEOUT });
  const after = await client.getRun(run.runId);
  const planStep = after.steps.plan;
  assert.equal(planStep.selectedText, expected);
  assert.equal(planStep.responses[planStep.userSelection!].origin, "edit");
  assert.equal(
    planStep.responses.filter((response) => response.origin === "merge").length,
    0,
    "no model call",
  );
  assert.deepEqual(errors, []);
});
