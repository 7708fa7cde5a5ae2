/**
 * The built-in `offline` model: deterministic, no network, for trying WriteIt
 * without a key, for tests and for demos. It writes readable article-like
 * markdown about the prompt's topic (a title, a hook, an introduction, body
 * sections, examples, a conclusion), sized by the request's `responseHints`,
 * by length hints in the prompt ("between 800 and 2000 characters",
 * "600-1000 words", "at least 500 characters") or by `maxTokens`, and it
 * differs per model name (`offline:brisk` vs `offline:careful`), candidate
 * index and variant. It streams word by word with an optional delay and
 * reports its usage as one token per four characters (it is its own provider:
 * these are its counts, engine/llm/token_estimate.ts). It is only ever chosen by name.
 */
import { CancelledError } from "../errors.ts";
import type {
  LanguageModel,
  ModelCallOptions,
  ModelRequest,
  ModelStreamPart,
  ResponseHints,
} from "./language_model.ts";
import { estimateMessageTokens, estimateTokens } from "./token_estimate.ts";
import { abortableSleep } from "./retry_middleware.ts";

/** Options for `createOfflineModel`. */
export interface OfflineModelOptions {
  /** Name after `offline:` (default `default`); it changes the voice of the text. */
  modelId?: string;
  /** Delay per streamed chunk in ms (default 0). */
  chunkDelayMs?: number;
}

/** Characters written when nothing says how long to be. */
const DEFAULT_LENGTH = 2300;
/** Characters per token, roughly, for `maxTokens`. */
const CHARACTERS_PER_TOKEN = 4;

const STOPWORDS = new Set(
  ("a about above after again all also an and any are as at be because been before being below between both but by can could did do does doing down during each few for from further had has have having here how i if in into is it its itself just let like make more most my no nor not now of off on once only or other our out over own same should so some such than that the their them then there these they this those through to too under until up very was we were what when where which while who whom why will with would you your yours " +
    "write writing written article articles create provide include includes including keep sure target audience length words word section sections tone format use clear headings paragraphs complete plan based following focus given please need needs want step steps response responses output outputs text draft drafts outline polish polished final main point points key example examples title hook conclusion introduction value content general friendly informative engaging valuable attention grabbing opening strong takeaways practical insights relevant well organized now best way simple make each adds one two three four")
    .split(/\s+/),
);

const OPENERS = [
  "Most people meet {topic} long before they can name it.",
  "Here is a question worth asking about {topic}: what would change if we got it right?",
  "Ask ten practitioners about {topic} and you will hear ten different stories.",
  "{Topic} looks simple from a distance, and that is exactly where the trouble starts.",
  "There is a quiet shift happening around {topic}, and it rewards those who notice early.",
];

const SENTENCES = [
  "The heart of {topic} is {word}: everything else follows from how it is handled.",
  "When {word} and {word2} pull in different directions, the better choice is usually the simpler one.",
  "A useful habit is to write down what {word} should achieve before deciding how to get there.",
  "Teams that treat {word} as a first-class concern tend to ship calmer, more predictable work.",
  "It helps to separate what {word} promises from what it actually delivers in daily use.",
  "Small, steady improvements to {word} compound faster than any single dramatic change.",
  "The cost of ignoring {word} rarely shows up at once; it arrives later, with interest.",
  "Good {word} work is mostly invisible, which is why it is so often underfunded.",
  "For {audience}, the practical test is whether {word} saves time next week, not next year.",
  "Measuring {word} honestly is uncomfortable at first and indispensable soon after.",
  "The common mistake is to copy someone else's approach to {word} without their constraints.",
  "Clear names, short feedback loops and a written rationale make {word} far easier to reason about.",
  "Every decision about {word} is also a decision about {word2}, whether we admit it or not.",
  "Start with the smallest version of {word} that could possibly work, then let evidence lead.",
  "What {audience} need most is a mental model of {word} that survives contact with reality.",
];

const QUALIFIERS = [
  "In practice, ",
  "Put plainly, ",
  "To be precise, ",
  "On reflection, ",
  "Seen up close, ",
  "More often than not, ",
];

const TITLE_SHAPES = [
  "{Topic}: A Practical Guide",
  "What Actually Matters in {Topic}",
  "{Topic}, Explained Without the Hype",
  "Getting {Topic} Right",
  "The Quiet Craft of {Topic}",
  "{Topic} in the Real World",
];

/** FNV-1a hash of a string, as a 32-bit seed. */
function hashSeed(text: string): number {
  let hash = 0x811c9dc5;
  for (let index = 0; index < text.length; index++) {
    hash ^= text.charCodeAt(index);
    hash = Math.imul(hash, 0x01000193);
  }
  return hash >>> 0;
}

/** mulberry32: a small deterministic generator of numbers in [0, 1). */
function seededRandom(seed: number): () => number {
  let state = seed;
  return () => {
    state = (state + 0x6d2b79f5) | 0;
    let value = Math.imul(state ^ (state >>> 15), 1 | state);
    value = (value + Math.imul(value ^ (value >>> 7), 61 | value)) ^ value;
    return ((value ^ (value >>> 14)) >>> 0) / 4294967296;
  };
}

function lowerFirst(text: string): string {
  return text.charAt(0).toLowerCase() + text.slice(1);
}

function capitalize(text: string): string {
  return text.replace(/\b([a-z])/g, (letter) => letter.toUpperCase());
}

/** Title shapes as patterns that give back the topic, so later steps keep the first step's topic. */
const TITLE_PATTERNS = TITLE_SHAPES.map((shape) =>
  new RegExp(
    "^" + shape.replace(/[.*+?^$()|[\]\\]/g, "\\$&").replace("{Topic}", "(.+?)") + "$",
  )
);

function topicPhrase(prompt: string, words: string[]): string {
  const labelled = prompt.match(/(?:topic|about|for|subject)\s*:\s*([^\n]{3,80})/i)?.[1];
  const cleaned = labelled?.replace(/[*_#`"]/g, "").trim();
  if (cleaned && cleaned.length >= 3) return cleaned.slice(0, 60);
  // An earlier step's text in the prompt: its first heading names the topic.
  const heading = prompt.match(/^#\s+(.{3,100})$/m)?.[1]?.trim();
  if (heading) {
    for (const pattern of TITLE_PATTERNS) {
      const topic = pattern.exec(heading)?.[1];
      if (topic) return topic;
    }
    return heading.slice(0, 60);
  }
  return words.slice(0, 2).join(" ") || "the subject at hand";
}

function topicWords(prompt: string): string[] {
  const counts = new Map<string, { count: number; first: number }>();
  const matches = prompt.toLowerCase().match(/[a-z][a-z'-]{3,}/g) ?? [];
  matches.forEach((word, position) => {
    if (STOPWORDS.has(word)) return;
    const entry = counts.get(word) ?? { count: 0, first: position };
    entry.count++;
    counts.set(word, entry);
  });
  return [...counts.entries()]
    .sort((a, b) => b[1].count - a[1].count || a[1].first - b[1].first)
    .slice(0, 8)
    .map(([word]) => word);
}

/** Character range the text should land in, from hints, the prompt, then `maxTokens`. */
function lengthRange(prompt: string, hints: ResponseHints | undefined, maxTokens?: number) {
  let minimum = hints?.minLength;
  let maximum = hints?.maxLength;
  const number = (text: string) => Number(text.replace(/,/g, ""));
  const unit = (text: string) => (/^w/i.test(text) ? 6 : 1);
  if (minimum === undefined && maximum === undefined) {
    const between = prompt.match(
      /between\s+(\d[\d,]*)\s+and\s+(\d[\d,]*)\s+(characters|chars|words)/i,
    ) ?? prompt.match(/(\d[\d,]*)\s*(?:-|–|to)\s*(\d[\d,]*)\s+(characters|chars|words)/i);
    if (between) {
      minimum = number(between[1]) * unit(between[3]);
      maximum = number(between[2]) * unit(between[3]);
    }
    const least = prompt.match(
      /(?:at least|minimum(?: of)?|no fewer than)\s+(\d[\d,]*)\s+(characters|chars|words)/i,
    );
    if (least) minimum = number(least[1]) * unit(least[2]);
    const most = prompt.match(
      /(?:at most|maximum(?: of)?|no more than|under)\s+(\d[\d,]*)\s+(characters|chars|words)/i,
    );
    if (most) maximum = number(most[1]) * unit(most[2]);
  }
  let target = minimum !== undefined && maximum !== undefined
    ? Math.round((minimum + maximum) / 2)
    : minimum !== undefined
    ? Math.round(minimum * 1.25)
    : maximum !== undefined
    ? Math.round(maximum * 0.75)
    : DEFAULT_LENGTH;
  if (maximum !== undefined) target = Math.min(target, Math.floor(maximum * 0.95));
  if (minimum !== undefined) target = Math.max(target, Math.ceil(minimum * 1.05));
  const tokenLimit = maxTokens === undefined ? undefined : maxTokens * CHARACTERS_PER_TOKEN;
  return { target, minimum, maximum, tokenLimit };
}

interface Section {
  heading: string;
  sentences: string[];
}

/**
 * The offline model's answer to `request` as `modelId` would give it, with
 * the finish reason (`length` when `maxTokens` cut it). Pure and deterministic.
 */
export function offlineAnswer(
  request: ModelRequest,
  modelId = "default",
): { text: string; finishReason: "stop" | "length" } {
  const prompt = request.messages.filter((message) => message.role !== "assistant")
    .map((message) => message.content).join("\n");
  const random = seededRandom(
    hashSeed(`${modelId}|${request.candidateIndex}|${request.variant ?? 0}|${prompt}`),
  );
  const voice = seededRandom(hashSeed(`voice|${modelId}`));
  const qualifierRate = 0.15 + voice() * 0.5;
  const pick = <T>(items: T[]): T => items[Math.floor(random() * items.length)];
  const audienceLine = prompt.match(/audience\s*:\s*([^\n]{3,40})/i)?.[1]?.trim();
  const words = topicWords(prompt).filter((word) => !audienceLine?.toLowerCase().includes(word));
  const topic = topicPhrase(prompt, words);
  const audience = audienceLine ?? "readers";
  const vocabulary = words.length > 0 ? words : ["clarity", "practice", "judgement"];
  const fill = (template: string) =>
    template
      .replaceAll("{Topic}", capitalize(topic))
      .replaceAll("{topic}", topic)
      .replaceAll("{audience}", audience)
      .replaceAll("{word2}", pick(vocabulary))
      .replaceAll("{word}", pick(vocabulary));
  const sentence = () => {
    const text = fill(pick(SENTENCES));
    return random() < qualifierRate ? pick(QUALIFIERS) + lowerFirst(text) : text;
  };

  const title = fill(pick(TITLE_SHAPES));
  const bodyHeadings = vocabulary.slice(0, 2 + Math.floor(random() * 2)).map((word) =>
    `${capitalize(word)}: ${
      pick(["Where to Begin", "What Changes", "The Trade-offs", "Common Pitfalls", "Doing It Well"])
    }`
  );
  const bodySections: Section[] = bodyHeadings.map((heading) => ({
    heading,
    sentences: [sentence(), sentence()],
  }));
  const sections: Section[] = [
    { heading: "Hook", sentences: [fill(pick(OPENERS)), sentence()] },
    {
      heading: "Introduction",
      sentences: [
        `This piece (working title: "${title}") walks through ${topic} in the sections below, each with one idea you can use.`,
        sentence(),
      ],
    },
    ...bodySections,
    {
      heading: "Examples",
      sentences: [
        `For example, consider ${pick(vocabulary)} in a small team: ${lowerFirst(sentence())}`,
      ],
    },
    {
      heading: "Conclusion",
      sentences: [
        `The value of ${topic} lies less in any single technique than in steady, deliberate practice.`,
        sentence(),
      ],
    },
  ];
  // Validation looks for each element as written (`technical_content`), so the text carries
  // it as written: in the readable heading's first sentence when the two differ.
  for (const element of request.responseHints?.requiredElements ?? []) {
    const readable = element.replace(/[_-]+/g, " ").trim();
    const present = (text: string) => text.toLowerCase().includes(element.toLowerCase());
    if (sections.some((section) => present(section.heading) || section.sentences.some(present))) {
      continue;
    }
    const named = readable.toLowerCase() === element.toLowerCase()
      ? readable
      : `${readable} (${element})`;
    sections.splice(sections.length - 1, 0, {
      heading: capitalize(readable),
      sentences: [`On ${named}: ${lowerFirst(sentence())}`],
    });
  }

  const render = () =>
    `# ${title}\n\n` +
    sections.map((section) => `## ${section.heading}\n\n${section.sentences.join(" ")}`).join(
      "\n\n",
    ) +
    "\n";
  const { target, minimum, maximum, tokenLimit } = lengthRange(
    prompt,
    request.responseHints,
    request.maxTokens,
  );
  const limit = Math.min(target, tokenLimit ?? Infinity);
  let length = render().length;
  const growable = [...bodySections];
  for (let round = 0; length < limit && round < 10_000; round++) {
    const section = growable[round % growable.length];
    const added = sentence();
    section.sentences.push(added);
    length += added.length + 1;
  }
  let text = render();
  // Shrink a skeleton that came out longer than asked: drop whole sentences, then
  // whole body sections, never below the minimum.
  const floor = minimum ?? 0;
  const ceiling = Math.min(target, maximum ?? Infinity);
  while (text.length > ceiling) {
    const withSpare = sections.filter((section) => section.sentences.length > 1);
    let undo: () => void;
    if (withSpare.length > 0) {
      const section = withSpare.reduce((a, b) => (b.sentences.length > a.sentences.length ? b : a));
      const removed = section.sentences.pop()!;
      undo = () => section.sentences.push(removed);
    } else if (growable.length > 1) {
      const removed = growable.pop()!;
      const position = sections.indexOf(removed);
      sections.splice(position, 1);
      undo = () => {
        sections.splice(position, 0, removed);
        growable.push(removed);
      };
    } else {
      const required = (request.responseHints?.requiredElements ?? []).map((element) =>
        element.replace(/[_-]+/g, " ").toLowerCase()
      );
      const optional = sections.find((section) =>
        (section.heading === "Introduction" || section.heading === "Examples") &&
        !required.includes(section.heading.toLowerCase())
      );
      if (!optional) break;
      const position = sections.indexOf(optional);
      sections.splice(position, 1);
      undo = () => sections.splice(position, 0, optional);
    }
    const shorter = render();
    const lower = shorter.toLowerCase();
    const lost = (request.responseHints?.requiredElements ?? []).some((element) =>
      !lower.includes(element.toLowerCase())
    );
    if (shorter.length < floor || lost) {
      undo();
      break;
    }
    text = shorter;
  }
  if (tokenLimit !== undefined && text.length > tokenLimit) {
    const cut = text.slice(0, tokenLimit);
    return {
      text: cut.slice(0, Math.max(cut.lastIndexOf(" "), 1)).trimEnd(),
      finishReason: "length",
    };
  }
  return { text, finishReason: "stop" };
}

/** The offline model `offline:<modelId>`. */
export function createOfflineModel(options: OfflineModelOptions = {}): LanguageModel {
  const modelId = options.modelId ?? "default";
  const chunkDelayMs = options.chunkDelayMs ?? 0;
  return {
    provider: "offline",
    modelId,
    async *stream(
      request: ModelRequest,
      callOptions: ModelCallOptions = {},
    ): AsyncIterable<ModelStreamPart> {
      const signal = callOptions.signal;
      const cancelled = () => new CancelledError(`The call to offline:${modelId} was cancelled`);
      if (signal?.aborted) throw cancelled();
      const { text, finishReason } = offlineAnswer(request, modelId);
      const chunks = text.match(/\S+\s*|\s+/g) ?? [];
      for (const chunk of chunks) {
        if (chunkDelayMs > 0) await abortableSleep(chunkDelayMs, signal);
        if (signal?.aborted) throw cancelled();
        yield { type: "text", text: chunk };
      }
      const inputTokens = estimateMessageTokens(request.messages);
      const outputTokens = estimateTokens(text);
      yield {
        type: "usage",
        usage: {
          inputTokens,
          outputTokens,
          totalTokens: inputTokens + outputTokens,
          costUsd: 0,
          estimated: false,
        },
      };
      yield { type: "finish", reason: finishReason };
    },
  };
}
