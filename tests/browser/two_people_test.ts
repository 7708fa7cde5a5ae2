/**
 * Two people on one run, in real Chromium against the real server: a writer
 * has the run page open while someone in a terminal (the typed client named
 * "cli", as `writeit --server` is) picks. The page says who did what and
 * redraws; a pick the page makes on what it showed before it heard (its
 * WebSocket held back with `routeWebSocket`) is refused with the server's
 * explanation, and nothing changes.
 */
import assert from "node:assert/strict";
import { WriteItClient } from "../../client/mod.ts";
import { launchChromium, screenshot, startDashboard } from "./browser_harness.ts";

const TIMEOUT = 30_000;

Deno.test("dashboard and a terminal on one run: the page is told what the terminal picked, and a stale pick is refused", async () => {
  await using dashboard = await startDashboard({ env: { WRITEIT_OFFLINE_CHUNK_DELAY_MS: "1" } });
  await using browser = await launchChromium();
  const terminal = new WriteItClient({ baseUrl: dashboard.url, client: "cli" });
  const { run } = await terminal.createRun({
    pipeline: "quick-article",
    inputs: { topic: "Two people", audience: "general" },
    model: "offline",
    responses: 2,
    start: true,
  });
  const waitForPlan = async () => {
    for (let tries = 0; tries < 300; tries++) {
      const current = await terminal.getRun(run.runId);
      if (current.steps.plan.status === "awaiting_selection") return current;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    throw new Error("plan never waited for a pick");
  };
  let seen = await waitForPlan();

  // 1. The page follows live: the terminal's pick is said and drawn.
  const page = await browser.context.newPage();
  await page.goto(`${dashboard.url}/runs/${run.runId}`);
  await page.locator('[data-island="RunView"][data-hydrated="true"]').waitFor();
  const plan = page.locator('details.step[data-step="plan"]');
  await page.locator('details.step[data-step="plan"][data-status="awaiting_selection"]')
    .waitFor({ timeout: TIMEOUT });
  await terminal.select(run.runId, "plan", 1, { basedOn: seen.version });
  await page.getByText("plan: candidate 2 was picked from the CLI").waitFor({ timeout: TIMEOUT });
  await page.locator('details.step[data-step="plan"][data-status="completed"]')
    .waitFor({ timeout: TIMEOUT });
  await page.locator('details.step[data-step="write"][data-status="awaiting_selection"]')
    .waitFor({ timeout: TIMEOUT });
  await screenshot(page, "20-told-what-the-terminal-did");

  // 2. A second page whose WebSocket is held back after the hello picks on an old view.
  const held = await browser.context.newPage();
  let deliver = true;
  await held.routeWebSocket(/\/ws\//, (socket) => {
    const server = socket.connectToServer();
    server.onMessage((message) => {
      if (deliver) socket.send(message);
    });
    socket.onMessage((message) => server.send(message));
  });
  await held.goto(`${dashboard.url}/runs/${run.runId}`);
  await held.locator('[data-island="RunView"][data-hydrated="true"]').waitFor();
  const write = held.locator('details.step[data-step="write"][data-status="awaiting_selection"]');
  await write.waitFor({ timeout: TIMEOUT });
  await held.waitForTimeout(300);
  deliver = false;
  seen = await terminal.getRun(run.runId);
  await terminal.select(run.runId, "write", 0, { basedOn: seen.version });
  const after = (await terminal.getRun(run.runId)).version;
  await write.getByRole("button", { name: /^Pick candidate 2 / }).click();
  const failure = held.getByTestId("failure");
  await failure.waitFor({ timeout: TIMEOUT });
  const text = (await failure.textContent()) ?? "";
  assert.match(text, /HTTP 409, stale_action/);
  assert.match(text, /write: candidate 1 was picked from the CLI since you looked/);
  // The refused page reads the run again and shows what is there now.
  await held.locator('details.step[data-step="write"][data-status="completed"]')
    .waitFor({ timeout: TIMEOUT });
  await screenshot(held, "21-stale-pick-refused");
  const final = await terminal.getRun(run.runId);
  assert.equal(final.steps.write.selectedText, final.steps.write.responses[0].processedContent);
  assert.ok(final.version >= after, "the refused pick wrote nothing of its own");
  const picks = (await terminal.events(run.runId)).events.filter((event) =>
    event.type === "step_response_selected"
  );
  assert.deepEqual(
    picks.map((event) => event.metadata.actor),
    ["cli", "cli"],
    "only the terminal's two picks were recorded",
  );
  assert.equal(await plan.getAttribute("data-status"), "completed");
});
