/**
 * Finds pipelines and style primers by name. Search order, first match wins:
 * the workspace's own folders, then the global ones in the WriteIt home, then
 * the bundled ones shipped with WriteIt. A name can also be a path to a file.
 * Only names that pass the name rules are looked up, so a name never escapes
 * its folder. `FolderLibrary` implements the engine's `Library`.
 */
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { basename, extname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { NotFoundError } from "../../engine/errors.ts";
import { didYouMean } from "../../engine/did_you_mean.ts";
import { workspaceNameProblem } from "../../engine/workspace_names.ts";
import type { Library, LibraryEntry, LibraryKind, LibraryOrigin } from "../../engine/library.ts";

export type { Library, LibraryEntry, LibraryKind, LibraryOrigin };

/** The bundled `pipelines/` folder next to this source tree (embedded in compiled binaries). */
export const BUNDLED_PIPELINES = fileURLToPath(new URL("../../pipelines/", import.meta.url));

/** Folders searched for one kind, in order. */
export interface LibraryFolders {
  workspace?: string;
  global?: string;
  bundled?: string;
}

/** Search folders for `kind` given the home and workspace root folders. */
export function libraryFolders(
  kind: LibraryKind,
  options: { home: string; workspaceRoot?: string; bundled?: string },
): LibraryFolders {
  const sub = kind === "pipeline" ? "pipelines" : "styles";
  const bundledRoot = options.bundled ?? BUNDLED_PIPELINES;
  return {
    workspace: options.workspaceRoot ? join(options.workspaceRoot, sub) : undefined,
    global: join(options.home, sub),
    bundled: kind === "pipeline" ? bundledRoot : join(bundledRoot, "styles"),
  };
}

function yamlFiles(folder: string | undefined): string[] {
  if (!folder || !existsSync(folder)) return [];
  return readdirSync(folder, { withFileTypes: true })
    .filter((entry) => entry.isFile() && /\.ya?ml$/.test(entry.name))
    .map((entry) => entry.name)
    .sort();
}

/** Looks up pipelines or style primers across the search folders. */
export class FolderLibrary implements Library {
  readonly kind: LibraryKind;
  readonly folders: LibraryFolders;

  constructor(kind: LibraryKind, folders: LibraryFolders) {
    this.kind = kind;
    this.folders = folders;
  }

  /** Every entry, one per name (the first in search order), sorted by name. */
  list(): LibraryEntry[] {
    const byName = new Map<string, LibraryEntry>();
    const order: [LibraryOrigin, string | undefined][] = [
      ["workspace", this.folders.workspace],
      ["global", this.folders.global],
      ["bundled", this.folders.bundled],
    ];
    for (const [origin, folder] of order) {
      for (const file of yamlFiles(folder)) {
        const name = basename(file, extname(file));
        const path = join(folder!, file);
        const existing = byName.get(name);
        if (existing) existing.shadows.push(path);
        else byName.set(name, { name, path, origin, shadows: [] });
      }
    }
    return [...byName.values()].sort((a, b) => a.name.localeCompare(b.name));
  }

  /** Finds one entry by name (with or without .yaml) or by file path. */
  find(nameOrPath: string): LibraryEntry {
    if (looksLikePath(nameOrPath)) {
      const path = resolve(nameOrPath);
      if (!existsSync(path) || !statSync(path).isFile()) {
        throw new NotFoundError(`No ${this.kind} file at "${nameOrPath}": check the path`);
      }
      return { name: basename(path, extname(path)), path, origin: "path", shadows: [] };
    }
    return this.findName(nameOrPath);
  }

  /**
   * Finds one entry by name only (with or without .yaml): never reads a path,
   * so it is safe for names that come from the network.
   */
  findName(nameText: string): LibraryEntry {
    const name = nameText.replace(/\.ya?ml$/, "");
    const problem = workspaceNameProblem(name, this.kind);
    if (problem) throw new NotFoundError(problem);
    const entries = this.list();
    const found = entries.find((entry) => entry.name === name);
    if (found) return found;
    const suggestion = didYouMean(name, entries.map((entry) => entry.name));
    const hint = suggestion
      ? `did you mean "${suggestion}"?`
      : `see \`writeit ${this.kind} list\` for what exists`;
    throw new NotFoundError(`No ${this.kind} named "${name}": ${hint}`);
  }

  /** Reads an entry's text. */
  read(entry: LibraryEntry): string {
    return readFileSync(entry.path, "utf8");
  }
}

function looksLikePath(value: string): boolean {
  if (value.includes("/") || value.includes("\\") || value.startsWith(".")) return true;
  // A bare file name that exists in the current folder is that file.
  return /\.ya?ml$/.test(value) && existsSync(value) && statSync(value).isFile();
}
