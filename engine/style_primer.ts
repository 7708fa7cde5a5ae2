/**
 * Style primers: reusable voice and style guides in free nested YAML (the
 * original's format: metadata, voice, language, structure, examples,
 * anti_patterns, …). Loading checks what the seed data model requires (an id
 * following the naming rule, a voice with a tone, structure and language
 * sections, non-empty example openings) and extracts the parts a prompt
 * needs; `stylePrimerPromptText` turns a primer into a compact style guide
 * for a system prompt. Templates see the whole document as `style.…`.
 *
 * @example
 * ```ts
 * const { value } = loadStylePrimer(text, { file: "technical-expert.yaml" });
 * if (value) systemPrompt = stylePrimerPromptText(value);
 * ```
 */
import { createHash } from "node:crypto";
import { z } from "zod";
import { fileStem, type LoadOptions, type LoadResult } from "./pipeline_loader.ts";
import { PRIMER_ID_PATTERN } from "./pipeline_schema.ts";
import { IssueList, yamlSyntaxIssues } from "./yaml_issues.ts";
import { YamlSource } from "./yaml_locations.ts";
import { describeValue, isMapping, type Mapping, ValueChecks } from "./yaml_value_checks.ts";

export const StylePrimerSchema = z.object({
  primerId: z.string().regex(PRIMER_ID_PATTERN),
  name: z.string(),
  description: z.string(),
  version: z.string().optional(),
  /** The primer's YAML text, line endings normalized. */
  content: z.string().min(1),
  /** SHA-256 (hex) of `content`: identifies the version a run used. */
  hash: z.string().regex(/^[0-9a-f]{64}$/),
  /** The text fields of `voice` (tone, personality, perspective …). */
  voiceAttributes: z.record(z.string(), z.string()),
  exampleOpenings: z.array(z.string()),
  guidelines: z.object({ avoid: z.array(z.string()), prefer: z.array(z.string()) }),
  /** The whole document, as templates read it through `style.…`. */
  fields: z.record(z.string(), z.unknown()),
  createdAt: z.string().optional(),
  lastUsed: z.string().optional(),
});
export type StylePrimer = z.infer<typeof StylePrimerSchema>;

function strings(value: unknown): string[] {
  if (typeof value === "string") return value.trim() === "" ? [] : [value.trim()];
  if (Array.isArray(value)) return value.flatMap(strings);
  if (isMapping(value)) return Object.values(value).flatMap(strings);
  return [];
}

/** Strips one pair of wrapping double quotes, as the seed primers quote their examples. */
function unquote(text: string): string {
  const trimmed = text.trim();
  return trimmed.length >= 2 && trimmed.startsWith('"') && trimmed.endsWith('"')
    ? trimmed.slice(1, -1).trim()
    : trimmed;
}

function preferLists(language: Mapping): string[] {
  const result: string[] = [];
  const visit = (value: unknown, key: string) => {
    if (Array.isArray(value)) {
      const items = strings(value);
      if (key.includes("prefer") || items.some((item) => item.includes("instead of"))) {
        result.push(...items);
      }
    } else if (isMapping(value)) {
      for (const [childKey, child] of Object.entries(value)) visit(child, childKey);
    }
  };
  for (const [key, value] of Object.entries(language)) if (key !== "avoid") visit(value, key);
  return result;
}

/** Loads and validates a style primer; never throws on bad input. */
export function loadStylePrimer(text: string, options: LoadOptions = {}): LoadResult<StylePrimer> {
  const source = new YamlSource(text);
  const issues = new IssueList(source, options.file);
  const checks = new ValueChecks(issues);
  if (text.trim() === "") {
    issues.error(
      [],
      "The style primer is empty: describe at least voice (with tone), language and structure",
    );
    return { issues: issues.sorted() };
  }
  if (yamlSyntaxIssues(source, issues).fatal) return { issues: issues.sorted() };
  const fields = source.document.toJS({ maxAliasCount: 100 }) as unknown;
  if (!isMapping(fields)) {
    issues.error([], `A style primer must be a mapping of sections, not ${describeValue(fields)}`);
    return { issues: issues.sorted() };
  }
  const metadata = checks.mapping(["metadata"], fields.metadata, '"metadata"') ?? {};
  const name = checks.string(["metadata", "name"], metadata.name);
  const description = checks.string(["metadata", "description"], metadata.description) ?? "";
  const version = typeof metadata.version === "number"
    ? String(metadata.version)
    : checks.string(["metadata", "version"], metadata.version);
  const slug = (name ?? "").toLowerCase().replace(/[^a-z0-9]+/g, "-").replace(/^-+|-+$/g, "");
  const primerId = options.id ?? (options.file ? fileStem(options.file) : undefined) ?? slug;
  if (!PRIMER_ID_PATTERN.test(primerId)) {
    issues.error(
      [],
      `Style primer id "${primerId}" is invalid: use lowercase letters, digits and hyphens, starting with a letter, as in "technical-expert"`,
    );
  }

  const voiceAttributes: Record<string, string> = {};
  if (fields.voice === undefined) {
    issues.error([], `The primer has no "voice" section: add voice with at least a tone`);
  } else {
    const voice = checks.mapping(["voice"], fields.voice, '"voice"');
    if (voice) {
      for (const [key, value] of Object.entries(voice)) {
        if (typeof value === "string") voiceAttributes[key] = value;
      }
      if (voice.tone === undefined) {
        issues.error(
          ["voice"],
          `The voice has no "tone": describe it, as in tone: "Professional, confident"`,
          { at: "key" },
        );
      } else if (typeof voice.tone !== "string" || voice.tone.trim() === "") {
        issues.error(
          ["voice", "tone"],
          `"tone" must be non-empty text, not ${describeValue(voice.tone)}`,
        );
      }
    }
  }
  for (const section of ["structure", "language"]) {
    if (fields[section] === undefined || fields[section] === null) {
      issues.error(
        [],
        `The primer has no "${section}" section: add one describing the ${section} to follow`,
      );
    }
  }

  const exampleOpenings: string[] = [];
  const structure = isMapping(fields.structure) ? fields.structure : {};
  const opening = isMapping(structure.opening) ? structure.opening : undefined;
  const openingSources: Array<[Array<string | number>, unknown]> = [];
  if (opening && "example" in opening) {
    openingSources.push([["structure", "opening", "example"], opening.example]);
  }
  if (isMapping(fields.examples)) {
    for (const [key, value] of Object.entries(fields.examples)) {
      if (key.includes("opening")) openingSources.push([["examples", key], value]);
    }
  }
  for (const [path, value] of openingSources) {
    if (typeof value !== "string" || unquote(value) === "") {
      issues.error(path, `Example openings must be non-empty text, not ${describeValue(value)}`);
    } else {
      exampleOpenings.push(unquote(value));
    }
  }

  const language = isMapping(fields.language) ? fields.language : {};
  const avoid = [...strings(language.avoid), ...strings(fields.anti_patterns)];
  const prefer = preferLists(language);
  if (issues.hasErrors()) return { issues: issues.sorted() };

  const content = text.replace(/\r\n?/g, "\n");
  const primer: StylePrimer = {
    primerId,
    name: name ?? primerId,
    description,
    version,
    content,
    hash: createHash("sha256").update(content).digest("hex"),
    voiceAttributes,
    exampleOpenings,
    guidelines: { avoid, prefer },
    fields,
  };
  return { value: StylePrimerSchema.parse(primer), issues: issues.sorted() };
}

function label(key: string): string {
  const words = key.replace(/_/g, " ");
  return words[0].toUpperCase() + words.slice(1);
}

/**
 * The primer as a compact style guide for a system prompt: voice, language
 * (formality, prefer, avoid), structure patterns and one example opening.
 */
export function stylePrimerPromptText(primer: StylePrimer): string {
  const lines: string[] = [];
  lines.push(
    `Write in the "${primer.name}" style${primer.description ? `: ${primer.description}` : ""}.`,
  );
  const voice = Object.entries(primer.voiceAttributes);
  if (voice.length > 0) {
    lines.push("", "Voice:");
    for (const [key, value] of voice) lines.push(`- ${label(key)}: ${value}`);
  }
  const fields = primer.fields;
  const characteristics = isMapping(fields.voice) ? strings(fields.voice.characteristics) : [];
  for (const item of characteristics) lines.push(`- ${item}`);
  const language = isMapping(fields.language) ? fields.language : {};
  const formality = typeof language.formality === "string" ? language.formality : undefined;
  if (formality || primer.guidelines.prefer.length > 0 || primer.guidelines.avoid.length > 0) {
    lines.push("", "Language:");
    if (formality) lines.push(`- Formality: ${formality}`);
    if (primer.guidelines.prefer.length > 0) {
      lines.push(`- Prefer: ${primer.guidelines.prefer.join("; ")}`);
    }
    if (primer.guidelines.avoid.length > 0) {
      lines.push("- Avoid:");
      for (const item of primer.guidelines.avoid) lines.push(`  - ${item}`);
    }
  }
  const structure = isMapping(fields.structure) ? fields.structure : {};
  const patterns: string[] = [];
  for (const [key, value] of Object.entries(structure)) {
    if (!isMapping(value)) continue;
    const described = [
      value.pattern,
      value.organization,
      value.format,
      value.length,
      value.section_length,
    ]
      .filter((part): part is string => typeof part === "string");
    if (described.length > 0) patterns.push(`- ${label(key)}: ${described.join("; ")}`);
  }
  if (patterns.length > 0) lines.push("", "Structure:", ...patterns);
  if (primer.exampleOpenings.length > 0) {
    lines.push("", "Example opening:");
    for (const line of primer.exampleOpenings[0].split("\n")) lines.push(`> ${line.trim()}`);
  }
  return lines.join("\n");
}
