/**
 * A small on-disk cache for listings that are costly to compute but depend
 * only on files (such as `writeit pipeline list`, which loads and validates
 * every pipeline). The cached value is used only when the fingerprint of
 * the files it was computed from — path, size and modification time of
 * each, plus the WriteIt version — is unchanged; any edit recomputes it.
 * A cache that cannot be read or written is ignored.
 */
import { mkdirSync, readFileSync, renameSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { VERSION } from "../engine/version.ts";

/** The fingerprint of a set of files. */
export function fileFingerprint(paths: string[]): string {
  const parts = [VERSION];
  for (const path of [...paths].sort()) {
    try {
      const stat = statSync(path);
      parts.push(`${path}|${stat.size}|${stat.mtimeMs}`);
    } catch {
      parts.push(`${path}|missing`);
    }
  }
  return parts.join("\n");
}

/**
 * Returns the value cached under `name` in `<home>/.cache/` when it was
 * computed from files with the same fingerprint; otherwise computes it,
 * stores it and returns it.
 */
export async function cachedByFiles<T>(
  home: string,
  name: string,
  files: string[],
  compute: () => Promise<T>,
): Promise<T> {
  const folder = join(home, ".cache");
  const file = join(folder, `${name}.json`);
  const fingerprint = fileFingerprint(files);
  try {
    const stored = JSON.parse(readFileSync(file, "utf8")) as { fingerprint: string; value: T };
    if (stored.fingerprint === fingerprint) return stored.value;
  } catch {
    // No cache yet, or unreadable: compute.
  }
  const value = await compute();
  try {
    mkdirSync(folder, { recursive: true });
    const temporary = `${file}.${crypto.randomUUID()}.tmp`;
    writeFileSync(temporary, JSON.stringify({ fingerprint, value }));
    renameSync(temporary, file);
  } catch {
    // A read-only home still lists pipelines, just without the cache.
  }
  return value;
}
