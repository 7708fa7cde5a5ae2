/**
 * The README checked against the program: every `$ command` of its text
 * blocks is run (the CLI as `writeit` and `./writeit`, curl against a real
 * `writeit serve`) in a temporary home, and the output documented under it
 * must appear in the real output, line by line and in order, once ids,
 * numbers, dates, times and the home's path are set aside; `…` in a
 * documented line stands for anything. Ids the README shows are mapped to
 * the real ones as lines match, so a later `writeit runs show d6a21aff`
 * runs on the run the earlier listing showed. The TypeScript blocks are
 * type-checked, and the client example is run against the server. What is
 * not run says why in the test's output.
 */
import assert from "node:assert/strict";
import { spawnCli, temporaryHome } from "./cli_harness.ts";

const ROOT = new URL("../", import.meta.url);
const README = await Deno.readTextFile(new URL("README.md", ROOT));

/** One `$ command` of a README block and the output documented under it. */
interface Example {
  /** README line of the command. */
  line: number;
  command: string;
  output: string[];
}

/** The examples of every text block that holds a `$ ` line, in README order. */
function readmeExamples(): Example[][] {
  const blocks: Example[][] = [];
  const lines = README.split("\n");
  let inBlock = false;
  let fence = "";
  let current: Example[] = [];
  for (let index = 0; index < lines.length; index++) {
    const raw = lines[index];
    const trimmed = raw.trimStart();
    if (!inBlock && /^```text\s*$/.test(trimmed)) {
      inBlock = true;
      fence = raw.slice(0, raw.length - trimmed.length);
      current = [];
      continue;
    }
    if (!inBlock) continue;
    if (trimmed.startsWith("```")) {
      inBlock = false;
      if (current.length > 0) blocks.push(current);
      continue;
    }
    const text = raw.startsWith(fence) ? raw.slice(fence.length) : trimmed;
    const last = current.at(-1);
    if (text.startsWith("$ ")) {
      current.push({ line: index + 1, command: text.slice(2), output: [] });
    } else if (last && last.command.endsWith("\\") && last.output.length === 0) {
      last.command = `${last.command.slice(0, -1)}${text.trim()}`;
    } else if (last) {
      last.output.push(text);
    }
  }
  return blocks;
}

const UUID = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/g;
const ID = /\b[0-9a-f]{8}(?:-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\b|-…|…|\b)/g;

/** A line with what varies between runs set aside; `home` is the user's home folder (the README's /home/me). */
function shape(line: string, home: string): string {
  return line
    .replaceAll(home, "~")
    .replaceAll("/home/me", "~")
    .replace(ID, "<id>")
    .replace(/\d{4}-\d{2}-\d{2}/g, "<date>")
    .replace(/\d{2}:\d{2}(:\d{2})?/g, "<time>")
    .replace(/\$?\d[\d,]*(\.\d+)?( ?(ms|s|KB|MB|kB|B|h|%))?/g, "<n>")
    .replace(/\s+/g, " ")
    .trim();
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

/** The documented line as a pattern over shaped real lines; `…` stands for anything. */
function linePattern(documented: string, home: string): RegExp {
  const parts = shape(documented, home).split("…").map(escapeRegExp);
  return new RegExp(`^${parts.join(".*")}$`);
}

/** Ids the README shows, mapped to the real ones as lines match. */
class IdMap {
  readonly #ids = new Map<string, string>();

  learn(documented: string, real: string): void {
    const shown = [...documented.matchAll(ID)].map((match) => match[0]);
    const actual = [...real.matchAll(UUID)].map((match) => match[0]);
    const short = [...real.matchAll(/\b[0-9a-f]{8}\b/g)].map((match) => match[0]);
    shown.forEach((id, index) => {
      const prefix = id.slice(0, 8);
      const target = actual[index] ?? short[index];
      if (target && !this.#ids.has(prefix)) this.#ids.set(prefix, target);
    });
  }

  set(prefix: string, id: string): void {
    this.#ids.set(prefix, id);
  }

  /** `command` with every known README id (whole or a prefix) replaced by the real one. */
  rewrite(command: string): string {
    return command.replace(ID, (id) => {
      const real = this.#ids.get(id.slice(0, 8));
      if (!real) return id;
      return id.length === 8 ? real.slice(0, 8) : real;
    });
  }
}

/**
 * Checks that `documented` appears in `real` in order, and teaches `ids` the
 * pairs of matched lines. Returns the first documented line that did not match.
 */
function matchOutput(
  documented: string[],
  real: string[],
  home: string,
  ids: IdMap,
): string | undefined {
  const shaped = real.map((line) => shape(line, home));
  let at = 0;
  for (const line of documented) {
    if (line.trim() === "" || line.trim() === "…") continue;
    const pattern = linePattern(line, home);
    const found = shaped.findIndex((candidate, index) => index >= at && pattern.test(candidate));
    if (found < 0) return line;
    ids.learn(line, real[found]);
    at = found + 1;
  }
  return undefined;
}

/** Commands that are not run, with the reason the test prints. */
const NOT_RUN: [RegExp, string][] = [
  [
    /--responses 2$/,
    "asks at a terminal: tests/cli_line_mode_test.ts and cli_interactive_test.ts drive it in tmux",
  ],
  [/^\.\/task bench/, "a benchmark of minutes: `deno task bench` runs it"],
  [
    /"basedOn":5/,
    "needs another client's pick between two requests: tests/client_server_test.ts makes one",
  ],
];

/** Lines that only a first start from a fresh checkout prints. */
const FIRST_START = /^writeit setup: /;

/** State a block's commands need, made before they run (a run the README's ids stand for). */
const SETUP: [RegExp, string[], string?][] = [
  [
    /^writeit runs list$/,
    [
      'writeit run quick-article --yes --model offline --input topic="Why event sourcing suits writing tools"',
      'writeit run field-guide --yes --model offline --input subject="LMDB for application developers" --input notes=@notes.md',
    ],
  ],
  [
    /^writeit diff 3018c75e:write:1/,
    ['writeit run quick-article --yes --model offline --responses 2 --input topic="Night trains"'],
    "3018c75e",
  ],
];

const PBPASTE =
  "#!/bin/sh\nprintf '%s\\n' 'Flags decouple deploy from release.' 'Keep them short-lived.'\n";

/** The README's `broken.yaml`: its yaml block that starts with that name. */
const BROKEN_YAML = README.match(/```yaml\n(# broken\.yaml\n[\s\S]*?)```/)?.[1];

interface Server {
  address: string;
  stop(): Promise<void>;
}

async function startServer(home: string, cwd: string): Promise<Server> {
  const child = spawnCli(["serve", "--port", "0"], { home, cwd });
  const reader = child.stdout.pipeThrough(new TextDecoderStream()).getReader();
  let buffered = "";
  let url: string | undefined;
  while (!url) {
    const { value, done } = await reader.read();
    if (done) throw new Error(`writeit serve exited: ${await new Response(child.stderr).text()}`);
    buffered += value;
    for (const line of buffered.split("\n")) {
      if (line.startsWith("{") && line.includes('"url"')) url = JSON.parse(line).url;
    }
  }
  const drained = Promise.all([
    (async () => {
      while (!(await reader.read()).done) { /* discard */ }
    })(),
    child.stderr.pipeTo(new WritableStream()),
  ]);
  return {
    address: new URL(url).host,
    async stop() {
      child.kill("SIGTERM");
      await child.status;
      await drained;
    },
  };
}

/** Makes `home` the folder the examples run in: `writeit` (and `./writeit`) running this checkout's CLI, the tools they pipe from and the files they name. */
async function prepareHome(home: string): Promise<void> {
  const folder = home;
  await Deno.mkdir(`${folder}/bin`, { recursive: true });
  const launcher = `#!/bin/sh\nexec "${Deno.execPath()}" run --quiet --allow-all --config "${
    new URL("deno.json", ROOT).pathname
  }" "${new URL("cli.ts", ROOT).pathname}" "$@"\n`;
  for (const path of [`${folder}/bin/writeit`, `${folder}/writeit`]) {
    await Deno.writeTextFile(path, launcher, { mode: 0o755 });
  }
  await Deno.writeTextFile(`${folder}/bin/pbpaste`, PBPASTE, { mode: 0o755 });
  assert.ok(
    BROKEN_YAML,
    "the README shows broken.yaml in a yaml block starting with # broken.yaml",
  );
  await Deno.writeTextFile(`${folder}/broken.yaml`, BROKEN_YAML);
  await Deno.writeTextFile(`${folder}/long.txt`, "x".repeat(300));
  await Deno.writeTextFile(`${folder}/notes.md`, "Flags decouple deploy from release.\n");
}

async function shell(command: string, home: string): Promise<string[]> {
  const folder = home;
  const output = await new Deno.Command("bash", {
    args: ["-c", `${command} 2>&1`],
    cwd: folder,
    clearEnv: true,
    env: {
      PATH: `${folder}/bin:${Deno.env.get("PATH") ?? "/usr/bin:/bin"}`,
      HOME: home,
      WRITEIT_HOME: `${home}/.writeit`,
      NO_COLOR: "1",
      RUST_BACKTRACE: "0",
      DENO_NO_UPDATE_CHECK: "1",
    },
    stdin: "null",
    stdout: "piped",
  }).output();
  return new TextDecoder().decode(output.stdout).split("\n");
}

Deno.test("Every command of the README prints what the README shows", async () => {
  await using home = await temporaryHome();
  await prepareHome(home.path);
  const ids = new IdMap();
  // Started at the first command that calls it, so that the main job meets a fresh home.
  let server: Server | undefined;
  const failures: string[] = [];
  let ran = 0;
  try {
    for (const block of readmeExamples()) {
      for (const example of block) {
        const skip = NOT_RUN.find(([pattern]) => pattern.test(example.command));
        if (skip) {
          console.log(`not run: README.md:${example.line} ${example.command}: ${skip[1]}`);
          continue;
        }
        const setup = SETUP.find(([pattern]) => pattern.test(example.command));
        if (setup) {
          for (const command of setup[1]) {
            const lines = await shell(command, home.path);
            const id = lines.join("\n").match(/Run ([0-9a-f-]{36}) completed/)?.[1];
            assert.ok(
              id,
              `setup for README.md:${example.line} failed: ${command}\n${lines.join("\n")}`,
            );
            if (setup[2] && id) ids.set(setup[2], id);
          }
        }
        let command = ids.rewrite(example.command.replace(/^\.\/writeit /, "writeit "));
        if (/(localhost|127\.0\.0\.1):8484/.test(command)) {
          server ??= await startServer(`${home.path}/.writeit`, home.path);
          command = command.replace(/(localhost|127\.0\.0\.1):8484/g, server.address);
        }
        const real = await shell(command, home.path);
        ran++;
        const documented = example.output.filter((line) => !FIRST_START.test(line));
        const missing = matchOutput(documented, real, home.path, ids);
        if (missing !== undefined) {
          failures.push(
            `README.md:${example.line} $ ${example.command}\n  documented: ${missing}\n  printed:\n${
              real.map((line) => `    ${line}`).join("\n")
            }`,
          );
        }
      }
    }
  } finally {
    await server?.stop();
  }
  console.log(`${ran} README commands run`);
  assert.ok(ran >= 20, `only ${ran} README commands ran`);
  assert.deepEqual(failures, []);
});

Deno.test("The README's TypeScript examples type-check against the code", async () => {
  const blocks = [...README.matchAll(/```ts\n([\s\S]*?)```/g)].map((match) => match[1]);
  assert.ok(blocks.length >= 2, "the README shows the client in TypeScript");
  const folder = await Deno.makeTempDir({ prefix: "writeit-readme-" });
  const files: string[] = [];
  try {
    for (const [index, block] of blocks.entries()) {
      const file = `${folder}/example_${index}.ts`;
      const source = block.replace(
        /from "\.\/([^"]+)"/g,
        (_, path) => `from "${new URL(path, ROOT).href}"`,
      );
      await Deno.writeTextFile(file, `${source}\nexport {};\n`);
      files.push(file);
    }
    const output = await new Deno.Command(Deno.execPath(), {
      args: ["check", "--quiet", "--config", new URL("deno.json", ROOT).pathname, ...files],
      cwd: ROOT.pathname,
      stdout: "piped",
      stderr: "piped",
    }).output();
    assert.equal(output.code, 0, new TextDecoder().decode(output.stderr));
  } finally {
    await Deno.remove(folder, { recursive: true });
  }
});

Deno.test("The README's client example runs a run to completion against a server and exits", async () => {
  const example = [...README.matchAll(/```ts\n([\s\S]*?)```/g)].map((match) => match[1])
    .find((block) => block.includes("client.watch("));
  assert.ok(example, "the README shows client.watch()");
  await using home = await temporaryHome();
  const server = await startServer(home.path, home.path);
  const file = `${home.path}/example.ts`;
  try {
    const source = example
      .replace(/from "\.\/([^"]+)"/g, (_, path) => `from "${new URL(path, ROOT).href}"`)
      .replaceAll("127.0.0.1:8484", server.address);
    await Deno.writeTextFile(file, source);
    const child = new Deno.Command(Deno.execPath(), {
      args: [
        "run",
        "--quiet",
        "--allow-all",
        "--config",
        new URL("deno.json", ROOT).pathname,
        file,
      ],
      cwd: home.path,
      stdout: "piped",
      stderr: "piped",
    }).spawn();
    const timer = setTimeout(() => child.kill("SIGKILL"), 60_000);
    const output = await child.output();
    clearTimeout(timer);
    const printed = new TextDecoder().decode(output.stdout);
    assert.equal(output.code, 0, new TextDecoder().decode(output.stderr));
    assert.match(printed, /^plan /m, "chunks of the first step are printed");
    assert.match(printed, /^completed$/m);
  } finally {
    await server.stop();
  }
});
