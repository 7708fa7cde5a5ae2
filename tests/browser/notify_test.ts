/**
 * The opt-in browser notification in Chromium: after "Notify me" (and the
 * browser's permission), a run whose candidates become ready while the tab
 * is not in front shows one notification naming the step.
 */
import assert from "node:assert/strict";
import { WriteItClient } from "../../client/mod.ts";
import { launchChromium, startDashboard } from "./browser_harness.ts";

const TIMEOUT = 30_000;

Deno.test("dashboard: Notify me tells a writer looking elsewhere that candidates are ready", async () => {
  await using dashboard = await startDashboard({ env: { WRITEIT_OFFLINE_CHUNK_DELAY_MS: "30" } });
  await using session = await launchChromium();
  await session.context.grantPermissions(["notifications"], { origin: dashboard.url });
  const page = await session.context.newPage();
  // Record notifications instead of showing them, and let the tab seem to be in the background.
  await page.addInitScript(() => {
    const shown: Array<{ title: string; body?: string }> = [];
    (globalThis as unknown as { shown: typeof shown }).shown = shown;
    class Recorded {
      static permission = "granted";
      static requestPermission() {
        return Promise.resolve("granted");
      }
      constructor(title: string, options?: { body?: string }) {
        shown.push({ title, body: options?.body });
      }
    }
    (globalThis as unknown as { Notification: unknown }).Notification = Recorded;
    document.hasFocus = () => false;
  });
  const client = new WriteItClient({ baseUrl: dashboard.url });
  const { run } = await client.createRun({
    pipeline: "quick-article",
    inputs: { topic: "Owls" },
    model: "offline",
    start: false,
  });
  await page.goto(`${dashboard.url}/runs/${run.runId}`);
  await page.locator('[data-island="RunView"][data-hydrated="true"]').waitFor();
  await page.getByRole("button", { name: "Notify me" }).click();
  await page.getByRole("button", { name: "Notifying you" }).waitFor({ timeout: TIMEOUT });
  await client.startRun(run.runId);
  await page.locator('details#step-plan[data-status="awaiting_selection"]').waitFor({
    timeout: TIMEOUT,
  });
  const shown = await page.evaluate(() =>
    (globalThis as unknown as { shown: Array<{ title: string; body?: string }> }).shown
  );
  assert.equal(shown.length, 1, JSON.stringify(shown));
  assert.equal(shown[0].title, "WriteIt: your turn");
  assert.match(shown[0].body ?? "", /^Plan Article: 1 candidate is ready$/);
});
