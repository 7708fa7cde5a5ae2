/**
 * The WriteIt home and its workspaces on disk:
 *
 * ```
 * <home>/                   ~/.writeit, or WRITEIT_HOME
 *   config.yaml             global configuration
 *   active-workspace        name of the workspace commands use by default
 *   pipelines/ styles/      global pipelines and style primers
 *   workspaces/<name>/
 *     workspace.yaml        name, description, creation time
 *     config.yaml           workspace configuration (overrides the global one)
 *     data/                 the workspace's LMDB environment (runs, events, cache)
 *     pipelines/ styles/    shadow global and bundled files of the same name
 *     outputs/              exported articles
 *     layouts/              export layouts overriding the bundled ones
 * ```
 */
import {
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  writeFileSync,
} from "node:fs";
import { join } from "node:path";
import { ConflictError, NotFoundError, ValidationError } from "../../engine/errors.ts";
import { assertWorkspaceName } from "../../engine/workspace_names.ts";
import { didYouMean } from "../../engine/did_you_mean.ts";
import type { WorkspaceInfo } from "../../engine/backend.ts";

/** The WriteIt home: `flag` (`--home`), else WRITEIT_HOME, else ~/.writeit. */
export function resolveHome(env: Record<string, string | undefined>, flag?: string): string {
  if (flag) return flag;
  if (env.WRITEIT_HOME) return env.WRITEIT_HOME;
  const userHome = env.HOME ?? env.USERPROFILE;
  if (!userHome) {
    throw new ValidationError(
      "Cannot find the home folder: set WRITEIT_HOME to where WriteIt should keep its data",
    );
  }
  return join(userHome, ".writeit");
}

/** The workspace every home starts with. */
export const DEFAULT_WORKSPACE = "default";

export type { WorkspaceInfo };

/** Paths inside one workspace. */
export interface WorkspacePaths {
  root: string;
  config: string;
  data: string;
  pipelines: string;
  styles: string;
  outputs: string;
  layouts: string;
}

/** Paths of a workspace named `name` under `home` (not checked for existence). */
export function workspacePaths(home: string, name: string): WorkspacePaths {
  assertWorkspaceName(name);
  const root = join(home, "workspaces", name);
  return {
    root,
    config: join(root, "config.yaml"),
    data: join(root, "data"),
    pipelines: join(root, "pipelines"),
    styles: join(root, "styles"),
    outputs: join(root, "outputs"),
    layouts: join(root, "layouts"),
  };
}

/** Manages the workspaces of one WriteIt home. */
export class Workspaces {
  readonly home: string;
  readonly #now: () => Date;

  constructor(home: string, options: { now?: () => Date } = {}) {
    this.home = home;
    this.#now = options.now ?? (() => new Date());
  }

  /** Whether the home has been initialised. */
  isInitialised(): boolean {
    return existsSync(join(this.home, "workspaces", DEFAULT_WORKSPACE)) ||
      existsSync(join(this.home, "active-workspace"));
  }

  /** Creates the home, its global folders and the default workspace; safe to repeat. */
  init(): { created: boolean; workspace: WorkspaceInfo } {
    const created = !this.isInitialised();
    for (const folder of ["pipelines", "styles", "workspaces"]) {
      mkdirSync(join(this.home, folder), { recursive: true });
    }
    const configPath = join(this.home, "config.yaml");
    if (!existsSync(configPath)) {
      writeFileSync(
        configPath,
        "# WriteIt global configuration. `writeit config list` shows every key and where its value comes from.\n",
      );
    }
    if (!existsSync(workspacePaths(this.home, DEFAULT_WORKSPACE).root)) {
      this.create(DEFAULT_WORKSPACE, { description: "Default workspace" });
    }
    if (!existsSync(join(this.home, "active-workspace"))) this.use(DEFAULT_WORKSPACE);
    return { created, workspace: this.info(this.activeName()) };
  }

  /** Creates a workspace; ConflictError when it exists. */
  create(name: string, options: { description?: string } = {}): WorkspaceInfo {
    const paths = workspacePaths(this.home, name);
    if (existsSync(paths.root)) {
      throw new ConflictError(
        `Workspace "${name}" already exists: pick another name or use it with \`writeit workspace use ${name}\``,
        { code: "workspace_exists" },
      );
    }
    // Build in a temporary folder and rename, so a half-created workspace never shows.
    const staging = join(this.home, "workspaces", `.creating-${name}-${crypto.randomUUID()}`);
    for (const folder of ["data", "pipelines", "styles", "outputs", "layouts"]) {
      mkdirSync(join(staging, folder), { recursive: true });
    }
    const lines = [
      `name: ${JSON.stringify(name)}`,
      `created_at: ${JSON.stringify(this.#now().toISOString())}`,
    ];
    if (options.description) lines.push(`description: ${JSON.stringify(options.description)}`);
    writeFileSync(join(staging, "workspace.yaml"), lines.join("\n") + "\n");
    writeFileSync(
      join(staging, "config.yaml"),
      `# Configuration for workspace "${name}"; overrides ${join(this.home, "config.yaml")}.\n`,
    );
    renameSync(staging, paths.root);
    return this.info(name);
  }

  /** Every workspace, sorted by name. */
  list(): WorkspaceInfo[] {
    const folder = join(this.home, "workspaces");
    if (!existsSync(folder)) return [];
    return readdirSync(folder, { withFileTypes: true })
      .filter((entry) => entry.isDirectory() && !entry.name.startsWith("."))
      .map((entry) => entry.name)
      .sort()
      .map((name) => this.info(name));
  }

  /** One workspace; NotFoundError with a suggestion when it does not exist. */
  info(name: string): WorkspaceInfo {
    const paths = workspacePaths(this.home, name);
    if (!existsSync(paths.root) || !statSync(paths.root).isDirectory()) {
      throw this.#notFound(name);
    }
    const fields = readWorkspaceFile(join(paths.root, "workspace.yaml"));
    return {
      name,
      path: paths.root,
      description: fields.description,
      createdAt: fields.created_at,
      active: this.activeName() === name,
    };
  }

  /** Name of the active workspace (the default when none was chosen). */
  activeName(): string {
    const file = join(this.home, "active-workspace");
    if (!existsSync(file)) return DEFAULT_WORKSPACE;
    const name = readFileSync(file, "utf8").trim();
    return name || DEFAULT_WORKSPACE;
  }

  /** Makes `name` the active workspace. */
  use(name: string): WorkspaceInfo {
    this.info(name);
    mkdirSync(this.home, { recursive: true });
    const file = join(this.home, "active-workspace");
    const temporary = `${file}.${crypto.randomUUID()}.tmp`;
    writeFileSync(temporary, name + "\n");
    renameSync(temporary, file);
    return this.info(name);
  }

  /** Deletes a workspace and all its data; the active workspace cannot be removed. */
  remove(name: string): void {
    const info = this.info(name);
    if (info.active) {
      throw new ValidationError(
        `Workspace "${name}" is the active workspace and cannot be removed: switch first with \`writeit workspace use <other>\``,
        [{ severity: "error", message: "cannot remove the active workspace", path: "workspace" }],
      );
    }
    rmSync(info.path, { recursive: true, force: true });
  }

  #notFound(name: string): NotFoundError {
    const names = existsSync(join(this.home, "workspaces"))
      ? readdirSync(join(this.home, "workspaces")).filter((entry) => !entry.startsWith("."))
      : [];
    const suggestion = didYouMean(name, names);
    const hint = suggestion
      ? `did you mean "${suggestion}"?`
      : names.length
      ? `existing workspaces: ${names.join(", ")}`
      : "create it with `writeit workspace create " + name + "`";
    return new NotFoundError(`Workspace "${name}" does not exist: ${hint}`);
  }
}

function readWorkspaceFile(path: string): Record<string, string> {
  if (!existsSync(path)) return {};
  const fields: Record<string, string> = {};
  for (const line of readFileSync(path, "utf8").split("\n")) {
    const match = /^([a-z_]+):\s*(.*)$/.exec(line);
    if (!match) continue;
    try {
      fields[match[1]] = JSON.parse(match[2]);
    } catch {
      fields[match[1]] = match[2];
    }
  }
  return fields;
}
