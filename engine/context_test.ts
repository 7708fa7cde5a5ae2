/** The fixed context's clock: time and repeating timers move only by `advance`. */
import assert from "node:assert/strict";
import { fixedContext, systemContext } from "./context.ts";

Deno.test("fixedContext().advance() fires due timers in time order, repeatedly", () => {
  const context = fixedContext(new Date(0));
  const fired: string[] = [];
  const seen = (name: string) => () => fired.push(`${name}@${context.now().getTime()}`);
  context.every(30, seen("slow"));
  context.every(20, seen("fast"));
  context.advance(19);
  assert.deepEqual(fired, []);
  context.advance(51);
  assert.deepEqual(fired, ["fast@20", "slow@30", "fast@40", "slow@60", "fast@60"]);
  assert.equal(context.now().getTime(), 70);
});

Deno.test("fixedContext().every() stops calling back once stopped", () => {
  const context = fixedContext(new Date(0));
  let calls = 0;
  const timer = context.every(10, () => {
    calls++;
    if (calls === 2) timer.stop();
  });
  context.advance(100);
  assert.equal(calls, 2);
  timer.stop();
  context.advance(100);
  assert.equal(calls, 2);
});

Deno.test("EngineContext.every() rejects an interval that is not a positive number", () => {
  for (const context of [fixedContext(), systemContext()]) {
    for (const interval of [0, -5, Number.NaN, Infinity]) {
      assert.throws(() => context.every(interval, () => {}), RangeError);
    }
  }
});

Deno.test("systemContext().every() calls back on real time until stopped", async () => {
  const context = systemContext();
  let calls = 0;
  const { promise, resolve } = Promise.withResolvers<void>();
  const timer = context.every(5, () => {
    if (++calls === 3) resolve();
  });
  await promise;
  timer.stop();
  const after = calls;
  await new Promise((done) => setTimeout(done, 20));
  assert.equal(calls, after);
});
