import assert from "node:assert/strict";
import { Hono } from "hono";
import { rateLimit, RateLimiter } from "./rate_limiter.ts";

Deno.test("RateLimiter.take() allows a burst of capacity, then refuses until refilled", () => {
  const limiter = new RateLimiter({ capacity: 3, refillPerSecond: 1 });
  const start = 1_000_000;
  assert.deepEqual(limiter.take("docs", start), {
    allowed: true,
    retryAfterSeconds: 0,
    remaining: 2,
  });
  assert.equal(limiter.take("docs", start).allowed, true);
  assert.equal(limiter.take("docs", start).remaining, 0);
  assert.deepEqual(limiter.take("docs", start), {
    allowed: false,
    retryAfterSeconds: 1,
    remaining: 0,
  });
  assert.equal(limiter.take("docs", start + 999).allowed, false);
  assert.equal(limiter.take("docs", start + 1000).allowed, true);
  assert.equal(limiter.take("docs", start + 1000).allowed, false);
  assert.equal(limiter.take("blog", start + 1000).allowed, true, "keys are independent");
});

Deno.test("RateLimiter.take() reports whole seconds to wait, at least 1", () => {
  const slow = new RateLimiter({ capacity: 1, refillPerSecond: 0.25 });
  assert.equal(slow.take("k", 0).allowed, true);
  assert.equal(slow.take("k", 0).retryAfterSeconds, 4);
  assert.equal(slow.take("k", 1500).retryAfterSeconds, 3);
  const fast = new RateLimiter({ capacity: 1, refillPerSecond: 50 });
  assert.equal(fast.take("k", 0).allowed, true);
  const refused = fast.take("k", 0);
  assert.equal(refused.allowed, false);
  assert.equal(refused.retryAfterSeconds, 1);
  assert.ok(Number.isInteger(refused.retryAfterSeconds));
});

Deno.test("RateLimiter.take() refills no further than capacity and tolerates a clock going back", () => {
  const limiter = new RateLimiter({ capacity: 2, refillPerSecond: 1 });
  limiter.take("k", 0);
  limiter.take("k", 0);
  assert.equal(limiter.take("k", 60_000).remaining, 1, "a long pause refills to capacity only");
  assert.equal(limiter.take("k", 30_000).allowed, true);
  assert.equal(limiter.take("k", 30_000).allowed, false);
});

Deno.test("RateLimiter.take() evicts idle buckets so memory stays bounded", () => {
  const limiter = new RateLimiter({ capacity: 5, refillPerSecond: 1, maxKeys: 1000 });
  for (let index = 0; index < 500; index++) limiter.take(`key-${index}`, index);
  assert.equal(limiter.size, 500);
  limiter.take("late", 499 + 5000);
  assert.equal(limiter.size, 1, "buckets that would be full again are dropped");
  for (let index = 0; index < 50_000; index++) limiter.take(`flood-${index}`, 10_000);
  assert.ok(
    limiter.size <= 1000 && limiter.size >= 900,
    `never more than maxKeys: ${limiter.size}`,
  );
  limiter.take("flood-49999", 10_000);
  assert.equal(limiter.take("flood-49999", 10_000).remaining, 2, "recent keys keep their state");
});

Deno.test("new RateLimiter() refuses nonsense settings", () => {
  assert.throws(() => new RateLimiter({ capacity: 0, refillPerSecond: 1 }), RangeError);
  assert.throws(() => new RateLimiter({ capacity: 1, refillPerSecond: 0 }), RangeError);
  assert.throws(() => new RateLimiter({ capacity: NaN, refillPerSecond: 1 }), RangeError);
  assert.throws(
    () => new RateLimiter({ capacity: 1, refillPerSecond: 1, maxKeys: 0.5 }),
    RangeError,
  );
});

Deno.test("rateLimit() answers 429 problem+json with Retry-After per key", async () => {
  let clock = 0;
  const limiter = new RateLimiter({ capacity: 2, refillPerSecond: 0.5 });
  const app = new Hono();
  app.use(
    "/api/*",
    rateLimit(limiter, {
      key: (context) => context.req.header("x-workspace"),
      now: () => clock,
    }),
  );
  app.get("/api/runs", (context) => context.json({ runs: [] }));
  const call = (workspace?: string) =>
    app.request("/api/runs", { headers: workspace ? { "x-workspace": workspace } : {} });

  assert.equal((await call("docs")).status, 200);
  assert.equal((await call("docs")).status, 200);
  const refused = await call("docs");
  assert.equal(refused.status, 429);
  assert.equal(refused.headers.get("content-type"), "application/problem+json");
  assert.equal(refused.headers.get("retry-after"), "2");
  const problem = await refused.json();
  assert.deepEqual(Object.keys(problem).sort(), ["code", "detail", "status", "title", "type"]);
  assert.equal(problem.status, 429);
  assert.equal(problem.code, "rate_limited");
  assert.equal(problem.type, "https://writeit.dev/problems/rate_limited");
  assert.match(problem.detail, /"docs".*retry after 2 seconds/);

  assert.equal((await call("blog")).status, 200, "another workspace has its own bucket");
  for (let index = 0; index < 5; index++) {
    assert.equal((await call()).status, 200, "no key means no limit");
  }
  clock += 1000;
  assert.equal((await call("docs")).headers.get("retry-after"), "1");
  clock += 1000;
  assert.equal((await call("docs")).status, 200);
});
