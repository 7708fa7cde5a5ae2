/**
 * Per-key token buckets (the server keys them by workspace) and the Hono
 * middleware that answers 429 `application/problem+json` with an integer
 * `Retry-After` when a bucket is empty. Time is passed in, so tests drive
 * it. Memory stays bounded: buckets idle long enough to have refilled are
 * swept away (a fresh bucket is the same thing), and past `maxKeys` the
 * oldest buckets go.
 *
 * @example
 * ```ts
 * const limiter = new RateLimiter({ capacity: 60, refillPerSecond: 10 });
 * app.use("/api/*", rateLimit(limiter, { key: (context) => workspaceOf(context) }));
 * ```
 */
import type { Context, MiddlewareHandler } from "hono";
import { HTTPException } from "hono/http-exception";
import type { Problem } from "../protocol/mod.ts";
import { problemFor } from "./problem.ts";

/** Options of {@link RateLimiter}. */
export interface RateLimiterOptions {
  /** Largest burst: tokens in a full bucket. */
  capacity: number;
  /** Tokens added per second. */
  refillPerSecond: number;
  /** Most buckets kept; past it the oldest go first (default 10,000). */
  maxKeys?: number;
}

/** The answer of {@link RateLimiter.take}. */
export interface RateLimitDecision {
  allowed: boolean;
  /** Whole seconds until a token is available: 0 when allowed, else at least 1. */
  retryAfterSeconds: number;
  /** Whole tokens left after this call. */
  remaining: number;
}

interface Bucket {
  tokens: number;
  updated: number;
}

/** Token buckets by key. */
export class RateLimiter {
  readonly capacity: number;
  readonly refillPerSecond: number;
  readonly maxKeys: number;
  /** Buckets in creation order. */
  readonly #buckets = new Map<string, Bucket>();
  readonly #fullAfterMs: number;
  readonly #sweepEveryMs: number;
  #lastSweep = -Infinity;

  constructor(options: RateLimiterOptions) {
    const { capacity, refillPerSecond, maxKeys = 10_000 } = options;
    if (!(capacity >= 1) || !Number.isFinite(capacity)) {
      throw new RangeError(`Rate limit capacity must be a finite number ≥ 1, got ${capacity}`);
    }
    if (!(refillPerSecond > 0) || !Number.isFinite(refillPerSecond)) {
      throw new RangeError(
        `Rate limit refillPerSecond must be a finite number > 0, got ${refillPerSecond}`,
      );
    }
    if (!Number.isInteger(maxKeys) || maxKeys < 1) {
      throw new RangeError(`Rate limit maxKeys must be an integer ≥ 1, got ${maxKeys}`);
    }
    this.capacity = capacity;
    this.refillPerSecond = refillPerSecond;
    this.maxKeys = maxKeys;
    this.#fullAfterMs = (capacity / refillPerSecond) * 1000;
    this.#sweepEveryMs = Math.min(this.#fullAfterMs, 60_000);
  }

  /** Takes one token from `key`'s bucket at time `now` (milliseconds). */
  take(key: string, now: number): RateLimitDecision {
    if (now - this.#lastSweep >= this.#sweepEveryMs) this.#sweep(now);
    let bucket = this.#buckets.get(key);
    if (bucket) {
      const elapsed = Math.max(0, now - bucket.updated);
      bucket.tokens = Math.min(
        this.capacity,
        bucket.tokens + (elapsed / 1000) * this.refillPerSecond,
      );
      bucket.updated = Math.max(bucket.updated, now);
    } else {
      bucket = { tokens: this.capacity, updated: now };
      this.#buckets.set(key, bucket);
      if (this.#buckets.size > this.maxKeys) this.#shrink(now, key);
    }
    if (bucket.tokens >= 1) {
      bucket.tokens -= 1;
      return { allowed: true, retryAfterSeconds: 0, remaining: Math.floor(bucket.tokens) };
    }
    const waitSeconds = (1 - bucket.tokens) / this.refillPerSecond;
    return {
      allowed: false,
      retryAfterSeconds: Math.max(1, Math.ceil(waitSeconds - 1e-9)),
      remaining: 0,
    };
  }

  /** Buckets held now. */
  get size(): number {
    return this.#buckets.size;
  }

  /** Drops every bucket idle long enough to be full again: a fresh bucket is the same. */
  #sweep(now: number): void {
    this.#lastSweep = now;
    for (const [key, bucket] of this.#buckets) {
      if (now - bucket.updated >= this.#fullAfterMs) this.#buckets.delete(key);
    }
  }

  /**
   * Over `maxKeys`: sweeps, then drops the oldest buckets down to 90% of
   * `maxKeys` (never `keep`), so a flood of new keys costs amortized O(1).
   */
  #shrink(now: number, keep: string): void {
    this.#sweep(now);
    if (this.#buckets.size <= this.maxKeys) return;
    let excess = this.#buckets.size - Math.floor(this.maxKeys * 0.9);
    for (const key of this.#buckets.keys()) {
      if (excess <= 0) break;
      if (key === keep) continue;
      this.#buckets.delete(key);
      excess -= 1;
    }
  }
}

/** Options of {@link rateLimit}. */
export interface RateLimitOptions {
  /** The bucket a request draws from; `undefined` lets the request through unlimited. */
  key: (context: Context) => string | undefined;
  /** Clock in milliseconds (default `Date.now`). */
  now?: () => number;
}

/** The problem document of a refused request. */
export function rateLimitedProblem(key: string, retryAfterSeconds: number): Problem {
  const shown = key.length > 64 ? `${key.slice(0, 64)}…` : key;
  const unit = retryAfterSeconds === 1 ? "second" : "seconds";
  const detail =
    `Too many requests for "${shown}": retry after ${retryAfterSeconds} ${unit} (see the Retry-After header)`;
  return {
    ...problemFor(new HTTPException(429, { message: detail })),
    type: "https://writeit.dev/problems/rate_limited",
    title: "rate limited",
    code: "rate_limited",
  };
}

/**
 * A middleware that takes a token per request from the bucket `options.key`
 * names and answers 429 problem+json with `Retry-After` when none is left.
 */
export function rateLimit(limiter: RateLimiter, options: RateLimitOptions): MiddlewareHandler {
  const now = options.now ?? (() => Date.now());
  return async function limitRate(context, next) {
    const key = options.key(context);
    if (key === undefined) return await next();
    const decision = limiter.take(key, now());
    if (decision.allowed) return await next();
    const problem = rateLimitedProblem(key, decision.retryAfterSeconds);
    return context.body(JSON.stringify(problem), 429, {
      "content-type": "application/problem+json",
      "retry-after": String(decision.retryAfterSeconds),
    });
  };
}
