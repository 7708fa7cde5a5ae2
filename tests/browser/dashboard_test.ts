/**
 * The dashboard in real Chromium against the real server: a writer starts
 * the bundled quick-article pipeline on the offline model from the pipeline
 * page's form, watches candidates stream, picks with the keyboard, gives
 * feedback and regenerates, branches, finishes and exports; the timeline
 * slider shows an earlier state; a second tab sees the same live updates; a
 * refused action shows the server's explanation; the view reconnects after a
 * server restart. Screenshots of every page go to tests/browser/artifacts/.
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

function stepLocator(page: Page, stepId: string) {
  return page.locator(`details.step[data-step="${stepId}"]`);
}

async function waitForStepStatus(page: Page, stepId: string, status: string): Promise<void> {
  await page.locator(`details.step[data-step="${stepId}"][data-status="${status}"]`).waitFor({
    timeout: TIMEOUT,
  });
}

async function waitForRunStatus(page: Page, status: string): Promise<void> {
  await page.locator(`.run-view[data-status="${status}"]`).waitFor({ timeout: TIMEOUT });
}

/** Form controls and buttons without an accessible name (none expected). */
async function unnamedControls(page: Page): Promise<string[]> {
  return await page.evaluate(() => {
    const problems: string[] = [];
    for (const element of document.querySelectorAll("input, select, textarea, button, a[href]")) {
      const html = element as HTMLElement;
      if (html instanceof HTMLInputElement && html.type === "hidden") continue;
      const labelled = html.getAttribute("aria-label") || html.getAttribute("aria-labelledby") ||
        ("labels" in html && (html as HTMLInputElement).labels?.length) ||
        ((html.tagName === "BUTTON" || html.tagName === "A") && html.textContent?.trim());
      if (!labelled) problems.push(html.outerHTML.slice(0, 120));
    }
    return problems;
  });
}

async function startRunFromForm(page: Page, url: string, topic: string): Promise<string> {
  await page.goto(`${url}/pipelines/quick-article`);
  await page.locator('[data-island="StartRunForm"][data-hydrated="true"]').waitFor();
  await page.getByLabel("Article Topic").fill(topic);
  await page.getByLabel("Who's reading this?").selectOption("beginners");
  await page.getByText("Run options").click();
  await page.getByLabel("Model for every step").fill("offline");
  await page.getByLabel("Candidates per model").fill("2");
  await page.getByRole("button", { name: "Start run" }).click();
  await page.waitForURL(/\/runs\/[^/?]+/, { timeout: TIMEOUT });
  await page.locator('[data-island="RunView"][data-hydrated="true"]').waitFor();
  return new URL(page.url()).pathname.split("/").pop()!;
}

Deno.test("dashboard: start, stream, pick, feedback, branch, finish, export, time travel, two tabs", async () => {
  await using dashboard = await startDashboard({ env: { WRITEIT_OFFLINE_CHUNK_DELAY_MS: "12" } });
  await using session = await launchChromium();
  const page = await session.context.newPage();
  const errors = collectPageErrors(page);

  await page.goto(`${dashboard.url}/pipelines`);
  await screenshot(page, "01-pipelines");
  await page.goto(`${dashboard.url}/pipelines/quick-article`);
  await screenshot(page, "02-pipeline-quick-article");
  assert.deepEqual(
    await unnamedControls(page),
    [],
    "every control of the pipeline page has a name",
  );

  const runId = await startRunFromForm(page, dashboard.url, "Tide pools");
  const runUrl = page.url();

  // Candidates stream in: the text of a streaming card grows.
  const streaming = page.locator('[data-testid="streaming-candidate"] .text').first();
  await streaming.waitFor({ timeout: TIMEOUT });
  const early = (await streaming.textContent()) ?? "";
  await page.waitForTimeout(400);
  const later = (await page.locator(
    '[data-testid="streaming-candidate"] .text, [data-testid="candidate"] .text',
  ).first().textContent()) ?? "";
  assert.ok(later.length > early.length, `streamed text grows (${early.length} → ${later.length})`);
  await screenshot(page, "03-run-streaming");
  assert.equal(await page.getByTestId("connection").getAttribute("data-state"), "open");

  // A second tab on the same run.
  const second = await session.context.newPage();
  const secondErrors = collectPageErrors(second);
  await second.goto(runUrl);
  await second.locator('[data-island="RunView"][data-hydrated="true"]').waitFor();

  // Plan: two candidates, pick the second with the keyboard.
  await waitForStepStatus(page, "plan", "awaiting_selection");
  assert.equal(await stepLocator(page, "plan").locator('[data-testid="candidate"]').count(), 2);
  await screenshot(page, "04-run-plan-candidates");
  assert.deepEqual(await unnamedControls(page), [], "every control of the run page has a name");
  await page.keyboard.press("2");
  await waitForStepStatus(page, "plan", "completed");
  await waitForStepStatus(second, "plan", "completed");
  assert.equal(
    await stepLocator(second, "plan").locator('[data-testid="candidate"][data-selected="true"]')
      .getAttribute("data-response-index"),
    "1",
    "the second tab sees the pick of candidate 2",
  );
  await second.getByText("plan: candidate 2 was picked from the dashboard").waitFor({
    timeout: TIMEOUT,
  });
  assert.equal(
    await page.getByText("plan: candidate 2 was picked from the dashboard").count(),
    0,
    "a tab is not told of its own pick",
  );

  // Write: feedback with f, then Ctrl+Enter regenerates with it.
  await waitForStepStatus(page, "write", "awaiting_selection");
  await page.keyboard.press("f");
  const feedback = page.locator("#feedback-write");
  assert.ok(
    await feedback.evaluate((element) => element === document.activeElement),
    "f focuses feedback",
  );
  await feedback.fill("Shorter sentences, and one concrete example per section.");
  await page.keyboard.press("Control+Enter");
  await page.getByText("generation 2").first().waitFor({ timeout: TIMEOUT });
  await waitForStepStatus(page, "write", "awaiting_selection");
  await second.getByText("Shorter sentences, and one concrete example").first().waitFor({
    timeout: TIMEOUT,
  });
  await screenshot(page, "05-run-write-after-feedback");
  await page.keyboard.press("1");
  await waitForStepStatus(page, "write", "completed");

  // Polish awaits: branch from it; the branch starts generating at once.
  await waitForStepStatus(page, "polish", "awaiting_selection");
  await stepLocator(page, "polish").getByRole("button", { name: "Branch from here" }).click();
  await page.waitForURL((url) => !url.pathname.endsWith(runId), { timeout: TIMEOUT });
  const branchId = new URL(page.url()).pathname.split("/").pop()!;
  assert.notEqual(branchId, runId);
  await page.locator('[data-island="RunView"][data-hydrated="true"]').waitFor();
  await waitForStepStatus(page, "plan", "completed");
  await waitForStepStatus(page, "polish", "awaiting_selection");
  await page.keyboard.press("1");
  await waitForRunStatus(page, "completed");
  assert.equal(
    await page.locator(`[data-branch-run="${runId}"] [data-branch-run="${branchId}"]`).count(),
    1,
  );
  await screenshot(page, "06-branch-completed");

  // The original finishes from the second tab.
  await waitForStepStatus(second, "polish", "awaiting_selection");
  await second.keyboard.press("2");
  await waitForRunStatus(second, "completed");
  await page.reload();
  await page.locator('[data-island="RunView"][data-hydrated="true"]').waitFor();
  await screenshot(page, "07-run-completed");

  // Compare the branch with the original, word by word.
  await page.getByLabel("this run and another branch").check();
  await page.getByTestId("diff").waitFor({ timeout: TIMEOUT });
  assert.match(
    (await page.getByTestId("diff-stats").textContent()) ?? "",
    /\d+ words? added, \d+ removed/,
  );
  await page.getByTestId("compare").screenshot({
    path: `${new URL("./artifacts/", import.meta.url).pathname}08-compare-branches.png`,
  });

  // Export: every format link answers with the document.
  const markdownHref = await page.locator('[data-export="markdown"]').getAttribute("href");
  assert.ok(markdownHref);
  const exported = await page.request.get(new URL(markdownHref, dashboard.url).toString());
  assert.equal(exported.status(), 200);
  const markdown = await exported.text();
  const polishText =
    (await stepLocator(page, "polish").getByTestId("selected-text").textContent()) ?? "";
  assert.ok(markdown.includes(polishText.trim().slice(0, 60)), "the export holds the chosen text");
  for (const format of ["html", "json", "yaml"]) {
    const href = await page.locator(`[data-export="${format}"]`).getAttribute("href");
    const response = await page.request.get(new URL(href!, dashboard.url).toString());
    assert.equal(response.status(), 200, `export ${format}`);
  }

  // Time travel: the slider shows the run before the plan was picked.
  const slider = page.locator("#timeline-slider");
  await slider.fill("4");
  await page.getByTestId("history-banner").waitFor();
  await page.locator('.run-view[data-version="4"]').waitFor({ timeout: TIMEOUT });
  assert.notEqual(await stepLocator(page, "polish").getAttribute("data-status"), "completed");
  await screenshot(page, "09-timeline-earlier");
  await page.getByRole("button", { name: "Back to live" }).first().click();
  await waitForRunStatus(page, "completed");

  // Home, runs, phone width.
  await page.goto(dashboard.url);
  assert.equal(await page.locator("tr[data-run-id]").count(), 2);
  await screenshot(page, "10-home");
  await page.goto(`${dashboard.url}/runs`);
  await screenshot(page, "11-runs");
  await page.setViewportSize({ width: 390, height: 844 });
  await page.goto(`${dashboard.url}/runs/${runId}`);
  await page.locator('[data-island="RunView"][data-hydrated="true"]').waitFor();
  await screenshot(page, "12-run-phone");
  await page.goto(`${dashboard.url}/pipelines/quick-article`);
  await screenshot(page, "13-pipeline-phone");

  assert.deepEqual(errors, []);
  assert.deepEqual(secondErrors, []);
});

Deno.test("dashboard: a refused action shows the server's explanation; the view reconnects after a restart", async () => {
  await using dashboard = await startDashboard({ env: { WRITEIT_OFFLINE_CHUNK_DELAY_MS: "5" } });
  await using session = await launchChromium();
  const page = await session.context.newPage();
  await startRunFromForm(page, dashboard.url, "Lighthouses");
  await waitForStepStatus(page, "plan", "awaiting_selection");

  // r regenerates; the fourth time it is refused (retry limit) with the engine's reason.
  const plan = stepLocator(page, "plan");
  for (let generation = 2; generation <= 4; generation++) {
    await page.keyboard.press("r");
    await plan.getByText(`generation ${generation}`, { exact: true }).waitFor({ timeout: TIMEOUT });
    await waitForStepStatus(page, "plan", "awaiting_selection");
  }
  await page.keyboard.press("r");
  const failure = page.getByTestId("failure");
  await failure.waitFor({ timeout: TIMEOUT });
  const text = (await failure.textContent()) ?? "";
  assert.match(text, /Cannot regenerate “Plan Article” now/);
  assert.match(text, /regenerated 3 times/);
  // The Regenerate button says the same and is off.
  const regenerate = plan.getByRole("button", { name: /^Regenerate/ });
  assert.equal(await regenerate.isDisabled(), true);
  assert.match((await regenerate.getAttribute("title")) ?? "", /regenerated 3 times/);
  await screenshot(page, "14-refused-action");
  await page.getByRole("button", { name: "Dismiss this message" }).click();
  assert.equal(await failure.count(), 0);

  // Cancel (the confirmation is accepted): a cancelled run only offers to branch.
  page.once("dialog", (dialog) => dialog.accept());
  await page.getByRole("button", { name: "Cancel run" }).click();
  await waitForRunStatus(page, "cancelled");
  assert.equal(await plan.getByRole("button", { name: /^Regenerate/ }).count(), 0);
  assert.equal(await plan.getByRole("button", { name: "Branch from here" }).count(), 1);

  // The server restarts: the badge says reconnecting, then live again.
  const badge = page.getByTestId("connection");
  await dashboard.stop();
  await page.locator('[data-testid="connection"][data-state="reconnecting"]').waitFor({
    timeout: TIMEOUT,
  });
  await screenshot(page, "15-reconnecting");
  await dashboard.restart();
  await page.locator('[data-testid="connection"][data-state="open"]').waitFor({ timeout: TIMEOUT });
  assert.equal(await badge.textContent(), "Connection:live");
});

Deno.test("dashboard: merge, edit, pause, resume, skip, rewind in the browser while a CLI finishes the run", async () => {
  await using dashboard = await startDashboard({ env: { WRITEIT_OFFLINE_CHUNK_DELAY_MS: "8" } });
  await using session = await launchChromium();
  const page = await session.context.newPage();
  const errors = collectPageErrors(page);
  const runId = await startRunFromForm(page, dashboard.url, "Beekeeping");

  // Merge the two plan candidates, then pick the merge (key 3: after the two model candidates).
  const plan = stepLocator(page, "plan");
  await waitForStepStatus(page, "plan", "awaiting_selection");
  for (const box of await plan.getByRole("checkbox", { name: "merge" }).all()) await box.check();
  await plan.getByRole("button", { name: "Merge ticked (2)" }).click();
  await plan.getByRole("region", { name: "Candidates from merged" }).locator(
    '[data-testid="candidate"]',
  )
    .waitFor({ timeout: TIMEOUT });
  await waitForStepStatus(page, "plan", "awaiting_selection");
  await screenshot(page, "16-merged-candidate");
  await page.keyboard.press("3");
  await waitForStepStatus(page, "plan", "completed");
  const mergedText = (await plan.getByTestId("selected-text").textContent()) ?? "";
  assert.ok(mergedText.length > 50, "the merged text became the plan's result");

  // Edit the article by hand.
  const write = stepLocator(page, "write");
  await waitForStepStatus(page, "write", "awaiting_selection");
  await write.getByRole("button", { name: "Edit", exact: true }).click();
  const handWritten = "# Bees, by hand\n\nThis article was written by a person in the dashboard.";
  await page.locator("#edit-write").fill(handWritten);
  await write.getByRole("button", { name: "Save edit" }).click();
  await waitForStepStatus(page, "write", "completed");
  assert.equal(
    (await write.getByTestId("selected-text").textContent())?.trim(),
    handWritten.trim(),
  );

  // Pause while polish streams, then resume.
  await waitForStepStatus(page, "polish", "running");
  await page.getByRole("button", { name: "Pause" }).click();
  await waitForRunStatus(page, "paused");
  await screenshot(page, "17-paused");
  await page.getByRole("button", { name: "Resume" }).click();
  await waitForStepStatus(page, "polish", "awaiting_selection");

  // Rewind to write (its section is folded: open it): its candidates are offered again, with no
  // new generation, and it waits for a pick.
  if (await write.getAttribute("open") === null) await write.locator("> summary").click();
  const offered = await write.locator('[data-testid="candidate"]').count();
  // Rewinding asks first; declining changes nothing.
  const questions: string[] = [];
  page.once("dialog", (dialog) => {
    questions.push(dialog.message());
    dialog.dismiss();
  });
  await write.getByRole("button", { name: "Rewind to here" }).click();
  await page.waitForTimeout(300);
  assert.equal(await write.getAttribute("data-status"), "completed", "declined: nothing happened");
  page.once("dialog", (dialog) => {
    questions.push(dialog.message());
    dialog.accept();
  });
  await write.getByRole("button", { name: "Rewind to here" }).click();
  await waitForStepStatus(page, "write", "awaiting_selection");
  assert.equal(await write.getByText("generation 2", { exact: true }).count(), 0);
  assert.equal(await write.locator('[data-testid="candidate"]').count(), offered);
  // The hand edit is one of them, in its own column, and can be picked again.
  const editedColumn = write.getByRole("region", { name: "Candidates from edited" });
  const editedCard = editedColumn.locator('[data-testid="candidate"]');
  assert.equal(await editedCard.count(), 1);
  assert.match((await editedCard.textContent()) ?? "", /This article was written by a person/);
  await editedColumn.scrollIntoViewIfNeeded();
  await screenshot(page, "19-rewound-with-edit");
  // Polish, after write, is stale: branching from it or rewinding to it waits for write, and says so.
  const polishSection = stepLocator(page, "polish");
  if (await polishSection.getAttribute("open") === null) {
    await polishSection.locator("> summary").click();
  }
  for (const label of ["Branch from here", "Rewind to here"]) {
    const button = polishSection.getByRole("button", { name: label });
    assert.equal(await button.isDisabled(), true, label);
    assert.match((await button.getAttribute("title")) ?? "", /"write" \(awaiting_selection\)/);
  }

  // Skip write (after saying yes): polish runs on and waits.
  page.once("dialog", (dialog) => {
    questions.push(dialog.message());
    dialog.accept();
  });
  await write.getByRole("button", { name: "Skip" }).click();
  await waitForStepStatus(page, "write", "skipped");
  assert.deepEqual(questions.map((question) => question.split("?")[0]), [
    "Rewind to “Write Article”",
    "Rewind to “Write Article”",
    "Skip “Write Article”",
  ]);
  await waitForStepStatus(page, "polish", "awaiting_selection");

  // A CLI in another process finishes the run; the browser follows it live.
  const cli = writeitCommand(dashboard.home, ["resume", runId, "--yes"]);
  const output = await cli.output();
  assert.equal(output.code, 0, new TextDecoder().decode(output.stderr));
  await waitForRunStatus(page, "completed");
  await waitForStepStatus(page, "polish", "completed");
  await screenshot(page, "18-finished-by-cli");
  assert.deepEqual(errors, []);
});

Deno.test("dashboard: behind a token, sign in, follow a run live and download an export", async () => {
  await using dashboard = await startDashboard({
    token: "browser-token-1",
    env: { WRITEIT_OFFLINE_CHUNK_DELAY_MS: "2" },
  });
  await using session = await launchChromium();
  const page = await session.context.newPage();
  const errors = collectPageErrors(page);
  await page.goto(`${dashboard.url}/pipelines/quick-article`);
  assert.match(new URL(page.url()).pathname, /^\/login$/);
  await page.getByLabel("API token").fill("wrong");
  await page.getByRole("button", { name: "Sign in" }).click();
  await page.getByText("not this server's token").waitFor();
  await page.getByLabel("API token").fill("browser-token-1");
  await page.getByRole("button", { name: "Sign in" }).click();
  await page.waitForURL(/\/pipelines\/quick-article$/);
  errors.length = 0; // the refused sign-in above answered 401 on purpose
  const runId = await startRunFromForm(page, dashboard.url, "Night trains");
  await waitForStepStatus(page, "plan", "awaiting_selection");
  assert.equal(await page.getByTestId("connection").getAttribute("data-state"), "open");
  await page.keyboard.press("1");
  await waitForStepStatus(page, "plan", "completed");
  assert.doesNotMatch(await page.content(), /browser-token-1/, "no page holds the token");
  const download = page.waitForEvent("download");
  await page.locator('[data-export="markdown"]').click();
  const file = await download;
  assert.equal(file.suggestedFilename(), `${runId}.md`);
  const text = await Deno.readTextFile((await file.path())!);
  assert.match(text, /Night trains/i);
  const anonymous = await fetch(`${dashboard.url}/api/runs/${runId}`);
  assert.equal(anonymous.status, 401, "the API itself still needs the token");
  await anonymous.body?.cancel();
  assert.deepEqual(errors, []);
});
