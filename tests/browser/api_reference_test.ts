/**
 * The API reference at /api/docs in real Chromium, on the real server with a
 * token: Swagger UI draws every operation of the OpenAPI document from files
 * the server itself serves, with no request leaving the server, no script
 * error and no Content-Security-Policy violation.
 */
import assert from "node:assert/strict";
import {
  collectPageErrors,
  launchChromium,
  requireChromium,
  screenshot,
  startDashboard,
} from "./browser_harness.ts";

Deno.test("The API reference draws every operation offline, under its CSP, behind a token", async () => {
  requireChromium();
  await using dashboard = await startDashboard({ token: "reference-token" });
  await using browser = await launchChromium();
  const page = await browser.context.newPage();
  const errors = collectPageErrors(page);
  const external: string[] = [];
  page.on("request", (request) => {
    if (!request.url().startsWith(dashboard.url)) external.push(request.url());
  });
  const violations: string[] = [];
  page.on("console", (message) => {
    if (/Content Security Policy/i.test(message.text())) violations.push(message.text());
  });
  const response = await page.goto(`${dashboard.url}/api/docs`);
  assert.equal(response?.status(), 200, "the page is public, like the document it draws");
  assert.match(response!.headers()["content-security-policy"], /script-src 'self'/);
  await page.waitForSelector('#docs[data-ready="true"]', { timeout: 20_000 });
  await page.waitForSelector(".opblock", { timeout: 10_000 });

  const document = await (await fetch(`${dashboard.url}/api/openapi.json`)).json();
  const operations = Object.values(document.paths as Record<string, Record<string, unknown>>)
    .reduce((sum, item) => sum + Object.keys(item).length, 0);
  assert.equal(await page.locator(".opblock").count(), operations, "one block per operation");
  assert.ok(await page.locator("button.authorize").isVisible(), "bearer auth can be entered");

  const select = page.locator(".opblock-post", { hasText: "/api/runs/{id}/select" }).first();
  await select.locator(".opblock-summary").click();
  await select.locator(".parameters-container, .opblock-section").first().waitFor();
  const text = await select.innerText();
  for (const expected of ["stepId", "index", "409"]) {
    assert.ok(text.includes(expected), `${expected} in the select operation: ${text}`);
  }
  await screenshot(page, "api_reference");
  assert.deepEqual(errors, []);
  assert.deepEqual(external, [], "nothing is fetched from a network");
  assert.deepEqual(violations, []);
});
