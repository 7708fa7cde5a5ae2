/**
 * The library a workspace draws on, as interfaces the engine talks to:
 * - `Library`: pipelines and style primers found by name (for the LMDB
 *   backend, the workspace's folders, then the global ones in the WriteIt
 *   home, then the bundled ones);
 * - `LibraryStore`: named documents kept in the backend itself (pipelines,
 *   styles, layouts, config), each put recording a new version, so a run can
 *   name the version of a style primer it used.
 *
 * @example
 * ```ts
 * const entry = backend.library("style").findName("technical");
 * const saved = await backend.documents.put("style", "technical", text);
 * ```
 */

/** Where a library entry was found. */
export type LibraryOrigin = "workspace" | "global" | "bundled" | "path";

/** A pipeline or style primer file. */
export interface LibraryEntry {
  name: string;
  path: string;
  origin: LibraryOrigin;
  /** Entries of the same name further down the search order that this one hides. */
  shadows: string[];
}

/** What the library holds. */
export type LibraryKind = "pipeline" | "style";

/** Looks up pipelines or style primers by name. */
export interface Library {
  readonly kind: LibraryKind;
  /** Every entry, one per name (the first in search order), sorted by name. */
  list(): LibraryEntry[];
  /** One entry by name (with or without .yaml) or by file path; NotFoundError when absent. */
  find(nameOrPath: string): LibraryEntry;
  /** One entry by name only: never reads a path, so safe for names from the network. */
  findName(name: string): LibraryEntry;
  /** An entry's text. */
  read(entry: LibraryEntry): string;
}

/** Kinds of documents a backend keeps. */
export type DocumentKind = "pipeline" | "style" | "layout" | "config";

/** One stored version of a document. */
export interface StoredDocument {
  kind: DocumentKind;
  name: string;
  /** 1 for the first put of a name, then one more per put. */
  version: number;
  text: string;
  /** ISO time of the put. */
  createdAt: string;
}

/** A document's listing row: its latest version. */
export interface DocumentSummary {
  kind: DocumentKind;
  name: string;
  version: number;
  updatedAt: string;
}

/** Named, versioned documents kept in the backend. */
export interface LibraryStore {
  /** Stores `text` as the next version of `name`; returns what was stored. */
  put(kind: DocumentKind, name: string, text: string): Promise<StoredDocument>;
  /** The latest version (or `version`), or undefined when there is none. */
  get(kind: DocumentKind, name: string, version?: number): Promise<StoredDocument | undefined>;
  /** The latest version of every document of `kind`, sorted by name. */
  list(kind: DocumentKind): Promise<DocumentSummary[]>;
  /** Every version of `name`, oldest first. */
  versions(kind: DocumentKind, name: string): Promise<StoredDocument[]>;
  /** Removes every version of `name`; returns whether there was one. */
  remove(kind: DocumentKind, name: string): Promise<boolean>;
}
