import assert from "node:assert/strict";
import { ConcurrencyLimiter } from "./concurrency_limiter.ts";
import { CancelledError } from "./errors.ts";

Deno.test("ConcurrencyLimiter.run() never runs more than the limit and keeps FIFO order", async () => {
  const limiter = new ConcurrencyLimiter(2);
  let active = 0;
  let most = 0;
  const order: number[] = [];
  await Promise.all(Array.from({ length: 6 }, (_, index) =>
    limiter.run(async () => {
      order.push(index);
      active++;
      most = Math.max(most, active);
      await new Promise((resolve) => setTimeout(resolve, 5));
      active--;
    })));
  assert.equal(most, 2);
  assert.deepEqual(order, [0, 1, 2, 3, 4, 5]);
  assert.equal(limiter.active, 0);
});

Deno.test("ConcurrencyLimiter.acquire() leaves the queue when its signal aborts", async () => {
  const limiter = new ConcurrencyLimiter(1);
  const release = await limiter.acquire();
  const controller = new AbortController();
  const waiting = limiter.acquire({ signal: controller.signal });
  assert.equal(limiter.waiting, 1);
  controller.abort();
  await assert.rejects(waiting, CancelledError);
  assert.equal(limiter.waiting, 0);
  release();
  release(); // idempotent
  assert.equal(limiter.active, 0);
  assert.throws(() => new ConcurrencyLimiter(0), RangeError);
});
