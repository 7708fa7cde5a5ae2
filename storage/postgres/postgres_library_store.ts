/**
 * Versioned library documents in PostgreSQL (`writeit_documents`):
 * (workspace, kind, name, version) → text and time. Each put writes the
 * next version in a transaction holding an advisory lock of the name, so
 * two instances putting the same name get different versions.
 *
 * @example
 * ```ts
 * const documents = createPostgresLibraryStore(sql, { workspace: "default", context });
 * const saved = await documents.put("style", "technical", text);
 * ```
 */
import type { EngineContext } from "../../engine/context.ts";
import type {
  DocumentKind,
  DocumentSummary,
  LibraryStore,
  StoredDocument,
} from "../../engine/library.ts";
import { type Sql, withDatabaseErrors } from "./postgres_connection.ts";

interface DocumentRow {
  version: number;
  text: string;
  created_at: string;
}

/** The PostgreSQL-backed `LibraryStore` of a workspace. */
export function createPostgresLibraryStore(
  sql: Sql,
  options: { workspace: string; context: EngineContext; url?: string },
): LibraryStore {
  const { workspace, context } = options;
  const guard = <T>(body: () => Promise<T>): Promise<T> =>
    withDatabaseErrors(options.url ?? "postgres", body);
  const document = (kind: DocumentKind, name: string, row: DocumentRow): StoredDocument => ({
    kind,
    name,
    version: row.version,
    text: row.text,
    createdAt: row.created_at,
  });
  return {
    put: (kind, name, text) =>
      guard(() =>
        sql.begin(async (tx) => {
          await tx`select pg_advisory_xact_lock(hashtextextended(${`writeit.document:${workspace}:${kind}:${name}`}, 0))`;
          const [row] = await tx<{ version: number }[]>`
            select coalesce(max(version), 0) + 1 as version from writeit_documents
            where workspace = ${workspace} and kind = ${kind} and name = ${name}`;
          const stored = { version: row.version, text, created_at: context.now().toISOString() };
          await tx`insert into writeit_documents (workspace, kind, name, version, text, created_at)
            values (${workspace}, ${kind}, ${name}, ${stored.version}, ${text},
              ${stored.created_at})`;
          return document(kind, name, stored);
        })
      ),
    get: (kind, name, version) =>
      guard(async () => {
        const [row] = await sql<DocumentRow[]>`
          select version, text, created_at from writeit_documents
          where workspace = ${workspace} and kind = ${kind} and name = ${name}
            ${version === undefined ? sql`` : sql`and version = ${version}`}
          order by version desc limit 1`;
        return row ? document(kind, name, row) : undefined;
      }),
    list: (kind) =>
      guard(async () => {
        const rows = await sql<{ name: string; version: number; created_at: string }[]>`
          select distinct on (name) name, version, created_at from writeit_documents
          where workspace = ${workspace} and kind = ${kind}
          order by name, version desc`;
        return rows
          .map((row): DocumentSummary => ({
            kind,
            name: row.name,
            version: row.version,
            updatedAt: row.created_at,
          }))
          .sort((a, b) => a.name.localeCompare(b.name));
      }),
    versions: (kind, name) =>
      guard(async () => {
        const rows = await sql<DocumentRow[]>`
          select version, text, created_at from writeit_documents
          where workspace = ${workspace} and kind = ${kind} and name = ${name}
          order by version`;
        return rows.map((row) => document(kind, name, row));
      }),
    remove: (kind, name) =>
      guard(async () => {
        const result = await sql`delete from writeit_documents
          where workspace = ${workspace} and kind = ${kind} and name = ${name}`;
        return result.count > 0;
      }),
  };
}
