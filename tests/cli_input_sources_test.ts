/**
 * `writeit run --input name=@path`, `name=-` and `name=@@text` as a
 * subprocess: a file's text and piped standard input become the run's
 * inputs, locally and with `--server`; `@@` is the escape for a value that
 * starts with `@`; standard input is read once; a missing file, a folder,
 * text that is not UTF-8 and a file over the input's `max_length` are
 * refused with exit 2 in one line that names the input and the path.
 */
import assert from "node:assert/strict";
import { runCli, spawnCli, temporaryHome } from "./cli_harness.ts";

async function userInputs(home: string, result: { stdout: string; stderr: string }) {
  const match = /Run ([0-9a-f-]{36})/.exec(result.stderr + result.stdout);
  assert.ok(match, `a run id in: ${result.stderr}`);
  const shown = JSON.parse((await runCli(["runs", "show", match[1], "--json"], { home })).stdout);
  return (shown.run ?? shown).userInputs;
}

const OFFLINE = ["--model", "offline", "--yes"];

Deno.test("writeit run --input name=@path reads a file, name=- reads standard input, @@ is a literal @", async () => {
  await using home = await temporaryHome();
  await Deno.writeTextFile(`${home.path}/topic.txt`, "Event sourcing\nin two lines\n");
  const fromFile = await runCli(
    ["run", "quick-article", "--input", "topic=@topic.txt", ...OFFLINE],
    { home: home.path },
  );
  assert.equal(fromFile.code, 0, fromFile.stderr);
  assert.deepEqual(await userInputs(home.path, fromFile), {
    topic: "Event sourcing\nin two lines",
    audience: "general",
  });

  const piped = await runCli(
    ["run", "quick-article", "--input", "topic=-", "--input", "audience=@@beginners", ...OFFLINE],
    { home: home.path, stdin: "Piped topic\n" },
  );
  // "@@beginners" is the literal "@beginners", which is not one of the choices.
  assert.equal(piped.code, 1);
  assert.match(piped.stderr, /@beginners/);

  const pipedOk = await runCli(
    ["run", "quick-article", "--input", "topic=-", ...OFFLINE],
    { home: home.path, stdin: "Piped topic\n" },
  );
  assert.equal(pipedOk.code, 0, pipedOk.stderr);
  assert.equal((await userInputs(home.path, pipedOk)).topic, "Piped topic");

  const literal = await runCli(
    ["run", "quick-article", "--input", "topic=@@handle on the web", ...OFFLINE],
    { home: home.path },
  );
  assert.equal(literal.code, 0, literal.stderr);
  assert.equal((await userInputs(home.path, literal)).topic, "@handle on the web");

  const yamlPiped = await runCli(
    ["run", "quick-article", "--inputs", "-", ...OFFLINE],
    { home: home.path, stdin: "topic: From a piped YAML\naudience: beginners\n" },
  );
  assert.equal(yamlPiped.code, 0, yamlPiped.stderr);
  assert.deepEqual(await userInputs(home.path, yamlPiped), {
    topic: "From a piped YAML",
    audience: "beginners",
  });
});

Deno.test("writeit run --input refuses a missing file, a folder, non-UTF-8 text, two readers of stdin and a file over max_length", async () => {
  await using home = await temporaryHome();
  await Deno.writeFile(`${home.path}/binary.bin`, new Uint8Array([0xff, 0xfe, 0x00, 0xc3]));
  await Deno.writeTextFile(`${home.path}/long.txt`, "x".repeat(201));
  const cases: [string[], RegExp][] = [
    [["--input", "topic=@missing.md"], /Input "topic" names "missing.md", which does not exist: /],
    [["--input", "topic=@."], /Input "topic" names ".", which is a folder: /],
    [["--input", "topic=@binary.bin"], /Input "topic" read from "binary.bin" is not UTF-8 text: /],
    [["--input", "topic=-", "--input", "audience=-"], /already reads: give one of them a file/],
    [["--input", "topic=@"], /names no file: .*@@/],
  ];
  for (const [flags, message] of cases) {
    const result = await runCli(["run", "quick-article", ...flags, ...OFFLINE], {
      home: home.path,
      stdin: "",
    });
    assert.equal(result.code, 2, `${flags.join(" ")}: ${result.stderr}`);
    assert.match(result.stderr, message);
    assert.equal(result.stderr.trim().split("\n").length, 1, result.stderr);
  }
  const long = await runCli(
    [
      "run",
      "field-guide",
      "--input",
      "subject=@long.txt",
      "--input",
      "notes=Some notes",
      ...OFFLINE,
    ],
    { home: home.path },
  );
  assert.equal(long.code, 2, long.stderr);
  assert.match(
    long.stderr,
    /Input "subject" read from "long.txt" is 201 characters, over its max_length of 200: /,
  );
});

Deno.test("writeit --server URL run --input name=@path and name=- send the text, read on the client", async () => {
  await using home = await temporaryHome();
  await Deno.writeTextFile(`${home.path}/topic.txt`, "Served from a file");
  await Deno.writeTextFile(`${home.path}/long.txt`, "y".repeat(300));
  const server = spawnCli(["serve", "--port", "0"], { home: home.path });
  const reader = server.stdout.pipeThrough(new TextDecoderStream()).getReader();
  let buffered = "";
  let url: string | undefined;
  while (!url) {
    const { value, done } = await reader.read();
    if (done) throw new Error("The server exited before listening");
    buffered += value;
    for (const line of buffered.split("\n")) {
      if (line.startsWith("{") && line.includes('"url"')) url = JSON.parse(line).url;
    }
  }
  const drained = Promise.all([
    (async () => {
      while (!(await reader.read()).done) { /* discard */ }
    })(),
    server.stderr.pipeTo(new WritableStream()),
  ]);
  try {
    const fromFile = await runCli(
      ["--server", url, "run", "quick-article", "--input", "topic=@topic.txt", ...OFFLINE],
      { home: home.path },
    );
    assert.equal(fromFile.code, 0, fromFile.stderr);
    assert.equal((await userInputs(home.path, fromFile)).topic, "Served from a file");
    const piped = await runCli(
      ["--server", url, "run", "quick-article", "--input", "topic=-", ...OFFLINE],
      { home: home.path, stdin: "Served from a pipe" },
    );
    assert.equal(piped.code, 0, piped.stderr);
    assert.equal((await userInputs(home.path, piped)).topic, "Served from a pipe");
    const long = await runCli(
      [
        "--server",
        url,
        "run",
        "field-guide",
        "--input",
        "subject=@long.txt",
        "--input",
        "notes=n",
        ...OFFLINE,
      ],
      { home: home.path },
    );
    assert.equal(long.code, 2, long.stderr);
    assert.match(long.stderr, /Input "subject" read from "long.txt" is 300 characters/);
  } finally {
    server.kill("SIGTERM");
    await server.status;
    await drained;
  }
});
