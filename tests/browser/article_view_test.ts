/**
 * The article as it stands, in Chromium: the newest whole draft rendered
 * with its word counts, edited in place (the edit becomes a candidate of
 * its step, and the step after it goes stale), a candidate's provenance and
 * rating, and the page titled by the run.
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

async function until<T>(read: () => Promise<T>, done: (value: T) => boolean): Promise<T> {
  for (let tries = 0; tries < 300; tries++) {
    const value = await read();
    if (done(value)) return value;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error("timed out");
}

Deno.test("dashboard: the article view shows the newest draft with word counts and edits it in place", async () => {
  await using dashboard = await startDashboard();
  await using session = await launchChromium({ viewport: { width: 1440, height: 900 } });
  const client = new WriteItClient({ baseUrl: dashboard.url });
  const { run } = await client.createRun({
    pipeline: "quick-article",
    inputs: { topic: "Night trains" },
    model: "offline",
    start: true,
  });
  const runId = run.runId;
  const waitingAt = (stepId: string) =>
    until(
      () => client.getRun(runId),
      (state) => state.steps[stepId]?.status === "awaiting_selection",
    );
  let state = await waitingAt("plan");
  await client.select(runId, "plan", 0, { basedOn: state.version });
  state = await waitingAt("write");
  await client.select(runId, "write", 0, { basedOn: state.version });
  state = await waitingAt("polish");
  const draft = state.steps.write.selectedText!;

  const page = await session.context.newPage();
  const errors = collectPageErrors(page);
  await page.goto(`${dashboard.url}/runs/${runId}`);
  await page.locator('[data-island="RunView"][data-hydrated="true"]').waitFor();
  // The progress bar says how long each step's generation took.
  const times = page.getByTestId("progress").getByTestId("step-time");
  assert.equal(await times.count(), 3, "plan, write and polish have candidates");
  assert.match((await times.first().textContent()) ?? "", /^\d+(\.\d)? s$|^\d+ min \d+ s$/);
  const article = page.getByTestId("article");
  await article.waitFor({ timeout: TIMEOUT });
  const summary = (await article.locator("summary .small").first().textContent()) ?? "";
  assert.match(summary, /^\d[\d,]* words · from “Write Article”$/);
  // Folded while polish waits for a pick, so the decision stays in view; it opens on a click.
  assert.equal(await article.getAttribute("open"), null);
  await article.locator("summary").first().click();
  const heading = /^# (.+)$/m.exec(draft)![1];
  assert.equal(await article.getByRole("heading", { name: heading }).count(), 1, "rendered");
  assert.match((await page.locator("h1").textContent()) ?? "", new RegExp(heading));
  await article.getByText(/^Sections \(\d+\)$/).click();
  assert.ok((await article.locator("table.sections tr").count()) >= 2);
  await screenshot(page, "50-article-view");

  // A candidate's provenance: model, time, tokens, and the exact prompt, read on demand.
  const polishCard = page.locator('details#step-polish [data-testid="candidate"]').first();
  await polishCard.locator("details.provenance > summary").click();
  const provenance = polishCard.locator("details.provenance");
  await provenance.getByText(/^The prompt sent \([\d,]+ characters\)$/).waitFor({
    timeout: TIMEOUT,
  });
  assert.match((await provenance.textContent()) ?? "", /offline \(offline\)/);
  await provenance.getByText(/^The prompt sent/).click();
  const prompt = (await provenance.locator("pre.prompt").textContent()) ?? "";
  assert.equal(prompt, state.steps.polish.responses[0].promptUsed);
  await screenshot(page, "52-provenance");

  // Rate it and note why: kept in the run (an event), shown on the card.
  await polishCard.getByRole("button", { name: "Good candidate" }).click();
  await polishCard.locator('button[aria-label="Good candidate"][aria-pressed="true"]').waitFor({
    timeout: TIMEOUT,
  });
  await polishCard.getByRole("button", { name: "Add a note" }).click();
  await polishCard.getByLabel("Note on this candidate").fill("Best opening so far");
  await polishCard.getByRole("button", { name: "Save note" }).click();
  await polishCard.getByText("Best opening so far").waitFor({ timeout: TIMEOUT });
  const ratedRun = await client.getRun(runId);
  const polishId = ratedRun.steps.polish.responses[0].responseId;
  assert.equal(ratedRun.steps.polish.ratings?.[polishId]?.rating, "up");
  assert.equal(ratedRun.steps.polish.ratings?.[polishId]?.note, "Best opening so far");
  assert.equal(ratedRun.steps.polish.status, "awaiting_selection", "a rating decides nothing");

  // Edit in place: the text becomes a candidate of write, and polish is stale.
  await article.getByRole("button", { name: "Edit the article" }).click();
  const edited = draft.replace(/^# .+$/m, "# Night Trains, Rewritten by Hand") +
    "\n\n## Timetable\n\n| Route | Hours |\n|:--|--:|\n| Vienna–Rome | 14 |\n| Paris–Berlin | 11 |" +
    "\n\nSleeper demand rose[^1]; see [the report](https://example.com/report) and " +
    "[this](javascript:alert(1)).\n\n- Routes\n  - revived\n  - new\n\n[^1]: Operators' figures, 2025.";
  await page.locator("#article-edit").fill(edited);
  await article.getByRole("button", { name: "Save the article" }).click();
  await article.getByRole("heading", { name: "Night Trains, Rewritten by Hand" }).waitFor({
    timeout: TIMEOUT,
  });
  const after = await client.getRun(runId);
  const write = after.steps.write;
  assert.equal(write.responses[write.userSelection!].origin, "edit");
  assert.equal(write.selectedText, edited);
  assert.ok(
    ["stale", "running", "awaiting_selection"].includes(after.steps.polish.status),
    after.steps.polish.status,
  );
  // Model Markdown as a writer reads it: tables, footnotes and nested lists drawn, unsafe links not.
  const documentView = article.locator(".markdown").first();
  await documentView.locator("table").waitFor({ timeout: TIMEOUT });
  assert.deepEqual(await documentView.locator("table th").allTextContents(), ["Route", "Hours"]);
  assert.equal(await documentView.locator("ol.footnotes li").count(), 1);
  assert.equal(await documentView.locator("ul ul li").count(), 2);
  assert.equal(await documentView.locator('a[href="https://example.com/report"]').count(), 1);
  assert.equal(await documentView.locator('a[href^="javascript"]').count(), 0);
  await documentView.locator("table").scrollIntoViewIfNeeded();
  await screenshot(page, "51-article-edited");
  assert.deepEqual(errors, []);
});
