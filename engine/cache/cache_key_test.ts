import assert from "node:assert/strict";
import type { ModelRequest } from "../llm/language_model.ts";
import { cacheKey } from "./cache_key.ts";

const request: ModelRequest = {
  messages: [{ role: "system", content: "Be brief." }, { role: "user", content: "Outline tea." }],
  temperature: 0.7,
  maxTokens: 500,
  candidateIndex: 0,
};
const base = { namespace: "default", provider: "openai", modelId: "gpt-4.1", request };

Deno.test("cacheKey() is stable and changes with every part that decides the answer", () => {
  const key = cacheKey(base);
  assert.match(key, /^[0-9a-f]{64}$/);
  assert.equal(cacheKey({ ...base, request: structuredClone(request) }), key);
  const variants = [
    { ...base, namespace: "other" },
    { ...base, provider: "local" },
    { ...base, modelId: "gpt-4o" },
    { ...base, request: { ...request, temperature: 0.2 } },
    { ...base, request: { ...request, maxTokens: 501 } },
    { ...base, request: { ...request, candidateIndex: 1 } },
    { ...base, request: { ...request, variant: 1 } },
    {
      ...base,
      request: {
        ...request,
        messages: [...request.messages, { role: "user" as const, content: "More." }],
      },
    },
    {
      ...base,
      request: {
        ...request,
        messages: [{ role: "user" as const, content: "Be brief." }, request.messages[1]],
      },
    },
    { ...base, request: { ...request, responseHints: { minLength: 100 } } },
  ];
  const keys = new Set(variants.map(cacheKey));
  assert.equal(keys.size, variants.length);
  assert.ok(!keys.has(key));
});

Deno.test("cacheKey() treats variant 0 as no variant (a first generation)", () => {
  assert.equal(cacheKey({ ...base, request: { ...request, variant: 0 } }), cacheKey(base));
});
