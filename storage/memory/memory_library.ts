/**
 * The library kept in memory: pipelines and style primers given as texts by
 * name (`MemoryLibrary`), and versioned documents in a Map
 * (`createMemoryLibraryStore`). Entry paths read `memory:<kind>/<name>.yaml`.
 */
import type { EngineContext } from "../../engine/context.ts";
import { didYouMean } from "../../engine/did_you_mean.ts";
import { NotFoundError } from "../../engine/errors.ts";
import type {
  DocumentKind,
  Library,
  LibraryEntry,
  LibraryKind,
  LibraryStore,
  StoredDocument,
} from "../../engine/library.ts";
import { workspaceNameProblem } from "../../engine/workspace_names.ts";

/** Pipelines or style primers held as texts by name. */
export class MemoryLibrary implements Library {
  readonly kind: LibraryKind;
  readonly #texts: Map<string, string>;

  constructor(kind: LibraryKind, texts: Record<string, string> = {}) {
    this.kind = kind;
    this.#texts = new Map(Object.entries(texts));
  }

  /** Adds or replaces an entry. */
  set(name: string, text: string): void {
    this.#texts.set(name, text);
  }

  list(): LibraryEntry[] {
    return [...this.#texts.keys()].sort((a, b) => a.localeCompare(b)).map((name) => ({
      name,
      path: `memory:${this.kind}/${name}.yaml`,
      origin: "workspace",
      shadows: [],
    }));
  }

  find(nameOrPath: string): LibraryEntry {
    return this.findName(nameOrPath.replace(/^memory:[a-z]+\//, ""));
  }

  findName(nameText: string): LibraryEntry {
    const name = nameText.replace(/\.ya?ml$/, "");
    const problem = workspaceNameProblem(name, this.kind);
    if (problem) throw new NotFoundError(problem);
    const found = this.list().find((entry) => entry.name === name);
    if (found) return found;
    const suggestion = didYouMean(name, [...this.#texts.keys()]);
    const hint = suggestion
      ? `did you mean "${suggestion}"?`
      : `see \`writeit ${this.kind} list\` for what exists`;
    throw new NotFoundError(`No ${this.kind} named "${name}": ${hint}`);
  }

  read(entry: LibraryEntry): string {
    const text = this.#texts.get(entry.name);
    if (text === undefined) throw new NotFoundError(`No ${this.kind} named "${entry.name}"`);
    return text;
  }
}

/** A `LibraryStore` in memory. */
export function createMemoryLibraryStore(context: EngineContext): LibraryStore {
  const documents = new Map<string, StoredDocument[]>();
  const id = (kind: DocumentKind, name: string) => `${kind}\u0000${name}`;
  return {
    put(kind, name, text) {
      const versions = documents.get(id(kind, name)) ?? [];
      const stored: StoredDocument = {
        kind,
        name,
        version: versions.length === 0 ? 1 : versions[versions.length - 1].version + 1,
        text,
        createdAt: context.now().toISOString(),
      };
      documents.set(id(kind, name), [...versions, stored]);
      return Promise.resolve({ ...stored });
    },
    get(kind, name, version) {
      const versions = documents.get(id(kind, name)) ?? [];
      const found = version === undefined
        ? versions[versions.length - 1]
        : versions.find((row) => row.version === version);
      return Promise.resolve(found ? { ...found } : undefined);
    },
    list(kind) {
      const rows = [...documents.values()]
        .filter((versions) => versions[0]?.kind === kind)
        .map((versions) => versions[versions.length - 1])
        .map(({ name, version, createdAt }) => ({ kind, name, version, updatedAt: createdAt }))
        .sort((a, b) => a.name.localeCompare(b.name));
      return Promise.resolve(rows);
    },
    versions(kind, name) {
      return Promise.resolve((documents.get(id(kind, name)) ?? []).map((row) => ({ ...row })));
    },
    remove(kind, name) {
      return Promise.resolve(documents.delete(id(kind, name)));
    },
  };
}
