import assert from "node:assert/strict";
import { ProviderError, RetryableError } from "../errors.ts";
import { collectText, type LanguageModel, type ModelStreamPart } from "./language_model.ts";
import { retryDelay, retryMiddleware } from "./retry_middleware.ts";
import { streamTimeoutMiddleware } from "./stream_timeouts.ts";

function scripted(
  attempts: Array<(() => AsyncIterable<ModelStreamPart>)>,
): LanguageModel & { calls: number } {
  const model = {
    provider: "test",
    modelId: "scripted",
    calls: 0,
    stream() {
      return attempts[Math.min(model.calls++, attempts.length - 1)]();
    },
  };
  return model;
}

const request = { messages: [{ role: "user" as const, content: "hi" }], candidateIndex: 0 };
const finish: ModelStreamPart = { type: "finish", reason: "stop" };

Deno.test("retryDelay() backs off exponentially with jitter, capped, and honours Retry-After", () => {
  const error = new RetryableError("busy");
  const options = { initialDelayMs: 100, maxDelayMs: 1000 };
  assert.equal(retryDelay(1, error, options, () => 0), 50);
  assert.equal(retryDelay(1, error, options, () => 0.999), 100);
  assert.equal(retryDelay(3, error, options, () => 0), 200);
  assert.equal(retryDelay(10, error, options, () => 0), 500);
  assert.equal(
    retryDelay(1, new RetryableError("slow", { retryAfterMs: 4000 }), options, () => 0),
    4000,
  );
  assert.equal(
    retryDelay(1, new RetryableError("slow", { retryAfterMs: 600_000 }), {
      maxRetryAfterMs: 30_000,
    }, () => 0),
    600_000, // past the ceiling the middleware does not wait at all
  );
});

Deno.test("retryMiddleware() does not retry a ProviderError", async () => {
  const model = scripted([async function* () {
    if (model.calls > 0) throw new ProviderError("test", "bad request");
    yield finish;
  }]);
  const wrapped = retryMiddleware({ sleep: () => Promise.resolve() })(model);
  await assert.rejects(collectText(wrapped.stream(request)), ProviderError);
  assert.equal(model.calls, 1);
});

Deno.test("retryMiddleware() resets after a cut stream so the answer is never glued together", async () => {
  const model = scripted([
    async function* () {
      yield { type: "text", text: "half an ans" };
      throw new RetryableError("cut");
    },
    async function* () {
      yield { type: "text", text: "whole answer" };
      yield finish;
    },
  ]);
  const wrapped = retryMiddleware({ sleep: () => Promise.resolve() })(model);
  const answer = await collectText(wrapped.stream(request));
  assert.equal(answer.text, "whole answer");
  assert.equal(model.calls, 2);
});

Deno.test("streamTimeoutMiddleware() aborts a silent provider and reports a retryable time-out", async () => {
  let aborted = false;
  const silent: LanguageModel = {
    provider: "test",
    modelId: "silent",
    async *stream(_request, options = {}) {
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, 5_000);
        options.signal?.addEventListener("abort", () => {
          aborted = true;
          clearTimeout(timer);
          resolve();
        });
      });
      yield finish;
    },
  };
  const wrapped = streamTimeoutMiddleware({ firstByteMs: 30 })(silent);
  await assert.rejects(collectText(wrapped.stream(request)), (error: unknown) => {
    assert.ok(error instanceof RetryableError);
    assert.equal(error.code, "timeout");
    return true;
  });
  assert.ok(aborted);
});
