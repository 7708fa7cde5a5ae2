/**
 * A run whose provider fails, in Chromium: the start form refuses a model
 * the server cannot call at the model field (no run is created); a run that
 * fails on its provider says so once, offers no pick, and continues on
 * another model from the run's toolbar.
 */
import assert from "node:assert/strict";
import { startOpenAIWireServer } from "../fixtures/openai_wire_server.ts";
import {
  collectPageErrors,
  launchChromium,
  screenshot,
  startDashboard,
} from "./browser_harness.ts";

const TIMEOUT = 30_000;

Deno.test("dashboard: a model the server cannot call is refused on the form; a run failed on its provider continues on another model", async () => {
  const openai = startOpenAIWireServer({
    behaviours: [{
      type: "status",
      status: 401,
      body: { error: { message: "Incorrect API key" } },
    }],
  });
  try {
    await using dashboard = await startDashboard({
      env: { OPENAI_API_KEY: "sk-revoked", OPENAI_BASE_URL: openai.url },
    });
    await using session = await launchChromium();
    const page = await session.context.newPage();
    const errors = collectPageErrors(page);

    // An unknown model: refused at the model field, nothing created.
    await page.goto(`${dashboard.url}/pipelines/quick-article`);
    await page.locator('[data-island="StartRunForm"][data-hydrated="true"]').waitFor();
    await page.getByLabel("Article Topic").fill("Outages");
    // The cost before anything is spent, for the pipeline's own models, then for offline.
    const estimate = page.getByTestId("estimate").locator("summary");
    await estimate.waitFor({ timeout: TIMEOUT });
    assert.match((await estimate.textContent()) ?? "", /^Estimate: about [\d,]+ tokens, \$0\.\d+/);
    await page.getByText("Run options").click();
    await page.getByLabel("Model for every step").fill("offline");
    await page.getByTestId("estimate").getByText(/^Estimate: about [\d,]+ tokens, \$0$/).waitFor({
      timeout: TIMEOUT,
    });
    await screenshot(page, "39-form-estimate");
    await page.getByLabel("Model for every step").fill("acme-9000");
    await page.getByRole("button", { name: "Start run" }).click();
    const fieldError = page.locator("#run-model-error");
    await fieldError.waitFor({ timeout: TIMEOUT });
    assert.match((await fieldError.textContent()) ?? "", /acme-9000/);
    assert.equal(
      await page.getByLabel("Model for every step").getAttribute("aria-invalid"),
      "true",
    );
    const listed = await (await fetch(`${dashboard.url}/api/runs`)).json();
    assert.equal(listed.runs.length, 0, "no run was created");
    await screenshot(page, "40-form-unknown-model");

    // A model with a key the provider rejects: the run fails at its first step.
    await page.getByLabel("Model for every step").fill("gpt-4.1");
    await page.getByRole("button", { name: "Start run" }).click();
    await page.waitForURL(/\/runs\/[^/?]+/, { timeout: TIMEOUT });
    await page.locator('[data-island="RunView"][data-hydrated="true"]').waitFor();
    await page.locator('.run-view[data-status="error"]').waitFor({ timeout: TIMEOUT });
    const failure = page.getByText(/^Run failed at “plan”: /);
    await failure.waitFor({ timeout: TIMEOUT });
    await screenshot(page, "41-run-failed");
    assert.equal(
      await page.locator('[role="alert"]', { hasText: "Incorrect API key" }).count(),
      1,
      "the error shows once",
    );
    assert.equal(await page.getByText("your turn").count(), 0, "a failed step is not a pick");

    // Continue on the offline model: plan gets candidates to pick from.
    await page.getByLabel(/^Model/).last().fill("offline");
    await page.getByRole("button", { name: "Continue on this model" }).click();
    await page.locator('details#step-plan[data-status="awaiting_selection"]').waitFor({
      timeout: TIMEOUT,
    });
    const cards = page.locator('details#step-plan [data-testid="candidate"]');
    assert.ok((await cards.count()) >= 1);
    const offline = page.locator("details#step-plan").getByRole("region", {
      name: "Candidates from offline",
    });
    assert.ok((await offline.locator('[data-testid="candidate"]').count()) >= 1);
    await screenshot(page, "42-continued-offline");
    assert.deepEqual(errors.filter((line) => !/401|Failed to load resource/.test(line)), []);
  } finally {
    await openai.close();
  }
});
