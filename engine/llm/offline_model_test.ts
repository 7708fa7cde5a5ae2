import assert from "node:assert/strict";
import { collectText, type ModelRequest, type ModelStreamPart } from "./language_model.ts";
import { createOfflineModel, offlineAnswer } from "./offline_model.ts";
import { validateResponse } from "../response_validation.ts";

const request: ModelRequest = {
  messages: [{
    role: "user",
    content: "Create an article plan for: Rust async runtimes\nTarget audience: professionals\n",
  }],
  candidateIndex: 0,
};

Deno.test("offlineAnswer() is deterministic and differs per candidate, variant and model name", () => {
  const first = offlineAnswer(request, "brisk").text;
  assert.equal(offlineAnswer(request, "brisk").text, first);
  const others = [
    offlineAnswer({ ...request, candidateIndex: 1 }, "brisk").text,
    offlineAnswer({ ...request, variant: 1 }, "brisk").text,
    offlineAnswer(request, "careful").text,
  ];
  for (const other of others) assert.notEqual(other, first);
  assert.equal(new Set(others).size, 3);
});

Deno.test("offlineAnswer() writes readable markdown about the prompt's topic", () => {
  const { text, finishReason } = offlineAnswer(request);
  assert.equal(finishReason, "stop");
  assert.match(text, /^# .*Rust Async Runtimes/);
  for (
    const word of ["title", "hook", "introduction", "sections", "examples", "value", "conclusion"]
  ) {
    assert.ok(text.toLowerCase().includes(word), `mentions "${word}"`);
  }
  assert.ok(text.length >= 2000 && text.length <= 2500, `default length ${text.length}`);
});

Deno.test("offlineAnswer() fits the length and elements a step's validation asks for", () => {
  for (const [minLength, maxLength] of [[200, 800], [800, 2000], [2000, 8000]]) {
    const { text } = offlineAnswer({
      ...request,
      responseHints: { minLength, maxLength, requiredElements: ["hook", "technical_content"] },
    });
    assert.ok(
      text.length >= minLength && text.length <= maxLength,
      `${text.length} in ${minLength}..${maxLength}`,
    );
    assert.match(text, /## Technical Content/);
    const checked = validateResponse(text, {
      minResponseLength: minLength,
      maxResponseLength: maxLength,
      requiredElements: ["hook", "technical_content"],
      checks: {},
    });
    assert.deepEqual(checked.reasons, [], "passes the step's validation");
  }
  const prompted = offlineAnswer({
    ...request,
    messages: [{ role: "user", content: "Write about tea. Use at least 3000 characters." }],
  });
  assert.ok(prompted.text.length >= 3000);
});

Deno.test("offlineAnswer() stops at maxTokens with finish reason length", () => {
  const { text, finishReason } = offlineAnswer({ ...request, maxTokens: 20 });
  assert.equal(finishReason, "length");
  assert.ok(text.length <= 80);
});

Deno.test("createOfflineModel().stream() streams word chunks, then counted usage and finish", async () => {
  const model = createOfflineModel({ modelId: "brisk" });
  assert.equal(model.provider, "offline");
  const parts: ModelStreamPart[] = [];
  for await (const part of model.stream(request)) parts.push(part);
  const texts = parts.filter((part) => part.type === "text");
  assert.ok(texts.length > 100);
  const answer = await collectText((async function* () {
    yield* parts;
  })());
  assert.equal(answer.text, offlineAnswer(request, "brisk").text);
  assert.ok(answer.usage.outputTokens > 200 && answer.usage.inputTokens > 5);
  assert.equal(answer.usage.totalTokens, answer.usage.inputTokens + answer.usage.outputTokens);
  assert.equal(answer.usage.costUsd, 0);
  assert.deepEqual(parts.at(-1), { type: "finish", reason: "stop" });
});

Deno.test("createOfflineModel().stream() honours its chunk delay and cancellation", async () => {
  const model = createOfflineModel({ chunkDelayMs: 5 });
  const controller = new AbortController();
  let chunks = 0;
  await assert.rejects(async () => {
    for await (const part of model.stream(request, { signal: controller.signal })) {
      if (part.type === "text" && ++chunks === 3) controller.abort();
    }
  }, { name: "CancelledError" });
  assert.equal(chunks, 3);
});
