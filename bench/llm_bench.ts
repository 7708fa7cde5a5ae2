/**
 * Overhead of the LLM layer: the same streamed chat completion from a local
 * OpenAI wire server, once through the raw `openai` SDK and once through
 * `createModelProvider(...).resolve()` with every middleware on (ledger,
 * cache miss, usage pricing, retry, time-outs, the [DONE] watcher). Calls
 * alternate so both see the same machine load; the overhead is the
 * difference of the p50s (the server's own time cancels out).
 */
import OpenAI from "openai";
import { fixedContext } from "../engine/context.ts";
import { ResponseCache } from "../engine/cache/response_cache.ts";
import { collectText, type ModelRequest } from "../engine/llm/language_model.ts";
import { createModelProvider } from "../engine/llm/model_factory.ts";
import { emptyProviderSettings } from "../engine/llm/provider_settings.ts";
import { UsageLedger } from "../engine/llm/usage_ledger.ts";
import { startOpenAIWireServer } from "../tests/fixtures/openai_wire_server.ts";
import { type BenchResult, percentile } from "./bench_result.ts";

const CALLS = 300;
const WARMUP = 30;

export async function run(): Promise<BenchResult[]> {
  const text =
    "A streamed answer of about forty words, long enough to be chunked like a real reply. "
      .repeat(3);
  const server = startOpenAIWireServer({ behaviours: [{ type: "stream", text }] });
  const context = fixedContext();
  const raw = new OpenAI({
    apiKey: "sk-bench",
    baseURL: server.url,
    maxRetries: 0,
    logLevel: "off",
  });
  const provider = createModelProvider({
    settings: { ...emptyProviderSettings(), openai: { apiKey: "sk-bench", baseUrl: server.url } },
    context,
    workspace: "bench",
    cache: new ResponseCache({ now: () => context.now().getTime() }),
    ledger: new UsageLedger(),
  });
  const messages: ModelRequest["messages"] = [{ role: "user", content: "Write a short reply." }];

  async function rawCall(): Promise<number> {
    const started = performance.now();
    const stream = await raw.chat.completions.create({
      model: "gpt-4.1",
      messages,
      stream: true,
      stream_options: { include_usage: true },
    });
    let received = "";
    for await (const chunk of stream) received += chunk.choices[0]?.delta?.content ?? "";
    if (received !== text) throw new Error("raw call returned the wrong text");
    return performance.now() - started;
  }

  async function layerCall(index: number): Promise<number> {
    const started = performance.now();
    // A new candidate index each time: every call is a cache miss that stores its answer.
    const model = provider.resolve("gpt-4.1");
    const answer = await collectText(model.stream({ messages, candidateIndex: index }));
    if (answer.text !== text) throw new Error("layer call returned the wrong text");
    return performance.now() - started;
  }

  const rawTimes: number[] = [];
  const layerTimes: number[] = [];
  for (let index = 0; index < WARMUP; index++) {
    await rawCall();
    await layerCall(1_000_000 + index);
  }
  for (let index = 0; index < CALLS; index++) {
    rawTimes.push(await rawCall());
    layerTimes.push(await layerCall(index));
  }
  await server.close();

  const rawP50 = percentile(rawTimes, 50);
  const layerP50 = percentile(layerTimes, 50);
  const overhead = layerP50 - rawP50;
  return [
    { name: "raw openai SDK streamed call, p50", value: rawP50, unit: "ms" },
    {
      name: "WriteIt layer streamed call (resolve + all middleware), p50",
      value: layerP50,
      unit: "ms",
      baseline: { name: "raw openai SDK call", value: rawP50 },
      ratio: layerP50 / rawP50,
    },
    {
      name: "layer overhead per call (difference of p50s)",
      value: overhead,
      unit: "ms",
      baseline: { name: "raw openai SDK call", value: rawP50 },
      ratio: layerP50 / rawP50,
      target: "< 1 ms",
      met: overhead < 1,
    },
  ];
}

if (import.meta.main) {
  for (const result of await run()) {
    console.log(result.name, result.value.toFixed(3), result.unit, result.ratio?.toFixed(2) ?? "");
  }
}
