/**
 * Versioned library documents in the workspace's LMDB environment (named
 * store `library_documents`): [kind, name, version] → { text, createdAt }.
 * Each put writes the next version in one transaction, so two processes
 * putting the same name get different versions.
 *
 * @example
 * ```ts
 * const documents = createLmdbLibraryStore(database, systemContext());
 * const saved = await documents.put("style", "technical", text);
 * ```
 */
import type { Key } from "lmdb";
import type { EngineContext } from "../../engine/context.ts";
import type {
  DocumentKind,
  DocumentSummary,
  LibraryStore,
  StoredDocument,
} from "../../engine/library.ts";
import type { WorkspaceDatabase } from "./workspace_database.ts";

/** Name of the store inside the workspace environment. */
export const LIBRARY_STORE_NAME = "library_documents";

const LAST = Number.MAX_SAFE_INTEGER;

interface DocumentRow {
  text: string;
  createdAt: string;
}

/** The LMDB-backed `LibraryStore` of a workspace. */
export function createLmdbLibraryStore(
  database: WorkspaceDatabase,
  context: EngineContext,
): LibraryStore {
  const store = database.openStore<DocumentRow, Key>(LIBRARY_STORE_NAME);
  const document = (kind: DocumentKind, name: string, version: number, row: DocumentRow) => ({
    kind,
    name,
    version,
    text: row.text,
    createdAt: row.createdAt,
  });
  const latest = (kind: DocumentKind, name: string): StoredDocument | undefined => {
    const range = store.getRange({
      start: [kind, name, LAST],
      end: [kind, name, 0],
      reverse: true,
      limit: 1,
    });
    for (const { key, value } of range) {
      return document(kind, name, (key as [string, string, number])[2], value);
    }
    return undefined;
  };
  return {
    put(kind, name, text) {
      return database.transaction(() => {
        const version = (latest(kind, name)?.version ?? 0) + 1;
        const row = { text, createdAt: context.now().toISOString() };
        store.putSync([kind, name, version], row);
        return document(kind, name, version, row);
      });
    },
    get(kind, name, version) {
      if (version === undefined) return Promise.resolve(latest(kind, name));
      const row = store.get([kind, name, version]);
      return Promise.resolve(row ? document(kind, name, version, row) : undefined);
    },
    list(kind) {
      const rows = new Map<string, DocumentSummary>();
      for (const { key, value } of store.getRange({ start: [kind], end: [kind, "\uffff"] })) {
        const [, name, version] = key as [string, string, number];
        rows.set(name, { kind, name, version, updatedAt: value.createdAt });
      }
      return Promise.resolve([...rows.values()].sort((a, b) => a.name.localeCompare(b.name)));
    },
    versions(kind, name) {
      const rows: StoredDocument[] = [];
      for (
        const { key, value } of store.getRange({ start: [kind, name, 0], end: [kind, name, LAST] })
      ) {
        rows.push(document(kind, name, (key as [string, string, number])[2], value));
      }
      return Promise.resolve(rows);
    },
    remove(kind, name) {
      return database.transaction(() => {
        let removed = false;
        for (const key of store.getKeys({ start: [kind, name, 0], end: [kind, name, LAST] })) {
          store.removeSync(key);
          removed = true;
        }
        return removed;
      });
    },
  };
}
