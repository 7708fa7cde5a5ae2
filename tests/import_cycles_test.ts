/**
 * The import structure has no circle: not between files, and not between
 * top-level folders. The module graph comes from one `deno info --json` over
 * a generated entry that imports every non-test module at the root
 * (`cli.ts`, `main.ts`, …) and in the source folders; only local `file://`
 * modules count (npm:, node: and jsr: specifiers are left out). Strongly
 * connected components (Tarjan) find the circles; each is reported as a
 * chain such as `engine/a.ts -> engine/b.ts -> engine/a.ts`, and each folder
 * circle names one file import that realises every one of its edges.
 */
import assert from "node:assert/strict";

const ROOT = new URL("../", import.meta.url);
const ROOT_PATH = decodeURIComponent(ROOT.pathname);
const SOURCE_FOLDERS = [
  "engine",
  "storage",
  "cli",
  "server",
  "routes",
  "client",
  "islands",
  "wiring",
  "components",
];

/** A directed graph: each node maps to the nodes it imports. */
type ImportGraph = Map<string, Set<string>>;

/** Strongly connected components of `graph` (Tarjan), each in discovery order. */
function stronglyConnectedComponents(graph: ImportGraph): string[][] {
  const index = new Map<string, number>();
  const lowLink = new Map<string, number>();
  const onStack = new Set<string>();
  const stack: string[] = [];
  const components: string[][] = [];
  let nextIndex = 0;

  const visit = (node: string): void => {
    index.set(node, nextIndex);
    lowLink.set(node, nextIndex);
    nextIndex++;
    stack.push(node);
    onStack.add(node);
    for (const target of graph.get(node) ?? []) {
      if (!index.has(target)) {
        visit(target);
        lowLink.set(node, Math.min(lowLink.get(node)!, lowLink.get(target)!));
      } else if (onStack.has(target)) {
        lowLink.set(node, Math.min(lowLink.get(node)!, index.get(target)!));
      }
    }
    if (lowLink.get(node) === index.get(node)) {
      const component: string[] = [];
      let member: string;
      do {
        member = stack.pop()!;
        onStack.delete(member);
        component.push(member);
      } while (member !== node);
      components.push(component.reverse());
    }
  };

  for (const node of [...graph.keys()].sort()) {
    if (!index.has(node)) visit(node);
  }
  return components;
}

/** Shortest path from `from` to `to` that stays inside `within`, or undefined. */
function shortestPath(
  graph: ImportGraph,
  from: string,
  to: string,
  within: Set<string>,
): string[] | undefined {
  const previous = new Map<string, string>([[from, from]]);
  const queue = [from];
  while (queue.length > 0) {
    const node = queue.shift()!;
    if (node === to) {
      const path = [to];
      while (path[0] !== from) path.unshift(previous.get(path[0])!);
      return path;
    }
    for (const target of [...(graph.get(node) ?? [])].sort()) {
      if (within.has(target) && !previous.has(target)) {
        previous.set(target, node);
        queue.push(target);
      }
    }
  }
  return undefined;
}

/**
 * Every circle of `graph`, as closed chains (`[a, b, a]`). For each import
 * inside a strongly connected component it gives the shortest circle
 * through that import, without repeats, so every import that takes part
 * in a circle shows in at least one chain.
 */
function findCycles(graph: ImportGraph): string[][] {
  const cycles = new Map<string, string[]>();
  for (const component of stronglyConnectedComponents(graph)) {
    const members = new Set(component);
    for (const source of component) {
      for (const target of [...(graph.get(source) ?? [])].sort()) {
        if (!members.has(target)) continue;
        const back = source === target ? [source] : shortestPath(graph, target, source, members);
        if (!back) continue;
        const ring = source === target ? [source] : [source, ...back.slice(0, -1)];
        const start = ring.indexOf([...ring].sort()[0]);
        const rotated = [...ring.slice(start), ...ring.slice(0, start)];
        cycles.set(rotated.join("\n"), [...rotated, rotated[0]]);
      }
    }
  }
  return [...cycles.values()];
}

/** Top-level folder of a root-relative path; a file at the root is its own unit. */
function topLevelUnit(path: string): string {
  const slash = path.indexOf("/");
  return slash === -1 ? path : path.slice(0, slash);
}

async function sourceFiles(folder: string, options: { recursive: boolean }): Promise<string[]> {
  const files: string[] = [];
  for await (const entry of Deno.readDir(new URL(folder ? `${folder}/` : "./", ROOT))) {
    const path = folder ? `${folder}/${entry.name}` : entry.name;
    if (entry.isDirectory) {
      if (options.recursive) files.push(...await sourceFiles(path, options));
    } else if (/\.tsx?$/.test(entry.name) && !/_test\.tsx?$/.test(entry.name)) files.push(path);
  }
  return files;
}

interface ModuleInfo {
  specifier: string;
  dependencies?: { code?: { specifier?: string }; type?: { specifier?: string } }[];
}

function localPath(specifier: string | undefined): string | undefined {
  if (!specifier?.startsWith("file://")) return undefined;
  const path = decodeURIComponent(new URL(specifier).pathname);
  if (!path.startsWith(ROOT_PATH)) return undefined;
  const relative = path.slice(ROOT_PATH.length);
  return relative.startsWith("node_modules/") ? undefined : relative;
}

/** Reads the local module graph of every entry point with one `deno info --json`. */
async function readImportGraph(entries: string[]): Promise<ImportGraph> {
  const folder = await Deno.makeTempDir({ prefix: "writeit-import-graph-" });
  try {
    const entry = `${folder}/entry.ts`;
    const lines = entries.map((path) => `import ${JSON.stringify(new URL(path, ROOT).href)};`);
    await Deno.writeTextFile(entry, lines.join("\n") + "\n");
    const output = await new Deno.Command(Deno.execPath(), {
      args: ["info", "--json", "--config", `${ROOT_PATH}deno.json`, entry],
      cwd: ROOT_PATH,
      env: { NO_COLOR: "1", DENO_NO_UPDATE_CHECK: "1" },
      stdout: "piped",
      stderr: "piped",
    }).output();
    assert.ok(
      output.success,
      `deno info failed: ${new TextDecoder().decode(output.stderr)}`,
    );
    const info = JSON.parse(new TextDecoder().decode(output.stdout)) as { modules: ModuleInfo[] };
    const graph: ImportGraph = new Map();
    for (const module of info.modules) {
      const source = localPath(module.specifier);
      if (!source) continue;
      const targets = graph.get(source) ?? new Set<string>();
      graph.set(source, targets);
      for (const dependency of module.dependencies ?? []) {
        for (const specifier of [dependency.code?.specifier, dependency.type?.specifier]) {
          const target = localPath(specifier);
          if (target) targets.add(target);
        }
      }
    }
    return graph;
  } finally {
    await Deno.remove(folder, { recursive: true });
  }
}

/** The folder graph of `files`, with one file import that realises each folder edge. */
function folderGraph(
  files: ImportGraph,
): { graph: ImportGraph; witness: Map<string, string> } {
  const graph: ImportGraph = new Map();
  const witness = new Map<string, string>();
  for (const [source, targets] of [...files].sort(([a], [b]) => a.localeCompare(b))) {
    const from = topLevelUnit(source);
    const edges = graph.get(from) ?? new Set<string>();
    graph.set(from, edges);
    for (const target of [...targets].sort()) {
      const to = topLevelUnit(target);
      if (to === from) continue;
      edges.add(to);
      if (!witness.has(`${from} -> ${to}`)) {
        witness.set(`${from} -> ${to}`, `${source} -> ${target}`);
      }
    }
  }
  return { graph, witness };
}

const entries = [
  ...await sourceFiles("", { recursive: false }),
  ...(await Promise.all(
    SOURCE_FOLDERS.map((folder) => sourceFiles(folder, { recursive: true })),
  )).flat(),
].sort();
const files = await readImportGraph(entries);

Deno.test("findCycles() reports circles and self-imports, not a diamond", () => {
  const graph: ImportGraph = new Map([
    ["a", new Set(["b", "c"])],
    ["b", new Set(["d"])],
    ["c", new Set(["d"])],
    ["d", new Set(["e"])],
    ["e", new Set(["d"])],
    ["f", new Set(["f"])],
  ]);
  assert.deepEqual(findCycles(graph), [["d", "e", "d"], ["f", "f"]]);
  assert.deepEqual(findCycles(new Map([["a", new Set(["b"])], ["b", new Set()]])), []);
});

Deno.test("folderGraph() names one file import per folder edge", () => {
  const { graph, witness } = folderGraph(
    new Map([
      ["a/x.ts", new Set(["b/y.ts", "a/z.ts"])],
      ["b/y.ts", new Set(["a/z.ts"])],
      ["a/z.ts", new Set<string>()],
    ]),
  );
  assert.deepEqual(findCycles(graph), [["a", "b", "a"]]);
  assert.equal(witness.get("a -> b"), "a/x.ts -> b/y.ts");
  assert.equal(witness.get("b -> a"), "b/y.ts -> a/z.ts");
});

Deno.test("The import graph read by deno info covers the project", () => {
  assert.ok(files.size > 100, `Only ${files.size} local modules were read: expected over 100`);
  for (const entry of entries) assert.ok(files.has(entry), `"${entry}" is missing from the graph`);
  assert.ok(
    files.get("main.ts")?.has("serve.ts"),
    'The graph lacks the import "main.ts -> serve.ts": deno info output may have changed',
  );
});

Deno.test("No file imports itself through a circle", () => {
  const cycles = findCycles(files).map((cycle) => cycle.join(" -> "));
  assert.ok(
    cycles.length === 0,
    `${cycles.length} import circles between files:\n${cycles.join("\n")}`,
  );
});

Deno.test("No top-level folder imports itself through another folder", () => {
  const { graph, witness } = folderGraph(files);
  const cycles = findCycles(graph).map((cycle) => {
    const edges = cycle.slice(1).map((to, i) => `  ${witness.get(`${cycle[i]} -> ${to}`)}`);
    return [cycle.join(" -> "), ...edges].join("\n");
  });
  assert.ok(
    cycles.length === 0,
    `${cycles.length} import circles between folders:\n${cycles.join("\n")}`,
  );
});

/**
 * What each top-level part may import (README, "How it is built"): the
 * engine nothing; protocol, storage and config the engine; the wiring those;
 * the client the protocol; the dashboard's islands the client; the server
 * the wiring; routes the server and the islands; entries everything below.
 */
const MAY_IMPORT: Record<string, string[]> = {
  "engine": [],
  "protocol": ["engine"],
  "storage": ["engine"],
  "environment.ts": [],
  "config.ts": ["engine", "environment.ts"],
  "wiring": ["engine", "storage", "config.ts", "environment.ts"],
  "client": ["engine", "protocol"],
  "islands": ["engine", "protocol", "client"],
  "server": [
    "engine",
    "protocol",
    "storage",
    "wiring",
    "config.ts",
    "environment.ts",
    "environment.ts",
  ],
  "components": ["engine", "islands", "server"],
  "routes": ["engine", "protocol", "server", "components", "islands"],
  "serve.ts": ["engine", "storage", "config.ts", "environment.ts", "server", "routes"],
  "cli": ["engine", "storage", "config.ts", "environment.ts", "wiring", "client", "serve.ts"],
  "cli.ts": ["engine", "config.ts", "environment.ts", "cli"],
  "main.ts": ["engine", "storage", "config.ts", "environment.ts", "serve.ts"],
};

Deno.test("Each part imports only the parts beneath it", () => {
  const { graph, witness } = folderGraph(files);
  const wrong: string[] = [];
  for (const [from, targets] of graph) {
    const allowed = MAY_IMPORT[from];
    if (!allowed) {
      wrong.push(`${from}: not placed in a layer (add it to MAY_IMPORT and the README)`);
      continue;
    }
    for (const to of targets) {
      if (!allowed.includes(to)) {
        wrong.push(`${from} may not import ${to}: ${witness.get(`${from} -> ${to}`)}`);
      }
    }
  }
  assert.ok(graph.get("routes")?.has("server"), "the graph lacks routes -> server");
  assert.deepEqual(wrong, []);
});
