import assert from "node:assert/strict";
import { runCli, temporaryHome } from "./cli_harness.ts";

const TOPIC = ["--input", "topic=Budgets"];

Deno.test("writeit run refuses a call that would take the workspace past budget.workspace_usd", async () => {
  await using home = await temporaryHome();
  const options = { home: home.path };
  for (
    const [key, value] of [["prices.offline.input", "1000"], ["prices.offline.output", "1000"]]
  ) {
    assert.equal((await runCli(["config", "set", key, value], options)).code, 0);
  }
  const first = await runCli(
    ["run", "quick-article", "--yes", "--model", "offline", ...TOPIC],
    options,
  );
  assert.equal(first.code, 0, first.stderr);
  const spent = Number(/\$(\d+\.\d+)/.exec(first.stdout + first.stderr)?.[1]);
  assert.ok(spent > 1, `a priced run: ${first.stdout}`);

  assert.equal(
    (await runCli(["config", "set", "budget.workspace_usd", String(spent + 0.5)], options)).code,
    0,
  );
  const second = await runCli(
    ["run", "quick-article", "--yes", "--model", "offline", "--input", "topic=Another topic"],
    options,
  );
  assert.notEqual(second.code, 0);
  assert.match(
    second.stderr,
    new RegExp(
      `over the budget of \\$${(spent + 0.5).toFixed(4)} \\(\\$${spent.toFixed(4)} spent\\)`,
    ),
  );
  assert.match(second.stderr, /writeit resume [0-9a-f-]{36}/);
});

Deno.test("writeit resume counts what the run already spent against budget.run_usd", async () => {
  await using home = await temporaryHome();
  const options = { home: home.path };
  for (
    const [key, value] of [["prices.offline.input", "1000"], ["prices.offline.output", "1000"]]
  ) {
    assert.equal((await runCli(["config", "set", key, value], options)).code, 0);
  }
  // Without a terminal and without --yes the run pauses at the first choice.
  const first = await runCli(["run", "quick-article", "--model", "offline", ...TOPIC], options);
  assert.equal(first.code, 0, first.stderr);
  const runId = /writeit resume ([0-9a-f-]{36})/.exec(first.stderr)?.[1];
  assert.ok(runId, first.stderr);
  const shown = JSON.parse((await runCli(["runs", "show", runId, "--json"], options)).stdout);
  const spent = (shown.run ?? shown).usage.costUsd as number;
  assert.ok(spent > 0.1, `the first step cost something: ${spent}`);

  await runCli(["config", "set", "budget.run_usd", String(spent + 0.01)], options);
  const resumed = await runCli(["resume", runId, "--yes"], options);
  assert.notEqual(resumed.code, 0);
  assert.match(resumed.stderr, new RegExp(`\\(\\$${spent.toFixed(4)} spent\\)`));
});
