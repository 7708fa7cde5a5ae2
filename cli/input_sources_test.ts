import assert from "node:assert/strict";
import type { InputSpec } from "../engine/pipeline_schema.ts";
import { checkSourcedLengths, readInputValue, StdinOnce } from "./input_sources.ts";
import { givenInputs } from "./run_inputs.ts";
import { UsageError } from "./usage_error.ts";

const piped = (text: string) =>
  new StdinOnce(() => Promise.resolve(new TextEncoder().encode(text)));

Deno.test("readInputValue() reads @path, - and @-, keeps @@ as a literal @ and anything else as written", async () => {
  const folder = await Deno.makeTempDir();
  try {
    await Deno.writeTextFile(`${folder}/notes.md`, "Line one\nLine two\n\n");
    assert.deepEqual(await readInputValue("notes", `@${folder}/notes.md`, { stdin: piped("") }), {
      value: "Line one\nLine two",
      source: `"${folder}/notes.md"`,
    });
    assert.deepEqual(await readInputValue("notes", "-", { stdin: piped("from a pipe\n") }), {
      value: "from a pipe",
      source: "standard input",
    });
    assert.equal((await readInputValue("notes", "@-", { stdin: piped("x") })).value, "x");
    assert.deepEqual(await readInputValue("handle", "@@writeit", { stdin: piped("") }), {
      value: "@writeit",
    });
    assert.deepEqual(await readInputValue("topic", "a=b @c", { stdin: piped("") }), {
      value: "a=b @c",
    });
  } finally {
    await Deno.remove(folder, { recursive: true });
  }
});

Deno.test("readInputValue() refuses a missing file, a folder and text that is not UTF-8, naming the input and path", async () => {
  const folder = await Deno.makeTempDir();
  try {
    await Deno.writeFile(`${folder}/bad.bin`, new Uint8Array([0xc3, 0x28]));
    const stdin = piped("");
    await assert.rejects(
      readInputValue("notes", `@${folder}/none.md`, { stdin }),
      (error: Error) =>
        error instanceof UsageError &&
        /Input "notes" names ".*none\.md", which does not exist: /.test(error.message),
    );
    await assert.rejects(
      readInputValue("notes", `@${folder}`, { stdin }),
      /which is a folder: give --input notes=@.* a file/,
    );
    await assert.rejects(
      readInputValue("notes", `@${folder}/bad.bin`, { stdin }),
      /Input "notes" read from ".*bad\.bin" is not UTF-8 text: /,
    );
  } finally {
    await Deno.remove(folder, { recursive: true });
  }
});

Deno.test("StdinOnce gives standard input to one flag and refuses a second", async () => {
  const stdin = piped("once");
  await stdin.take("a", "--input a=-");
  await assert.rejects(
    stdin.take("b", "--input b=-"),
    /--input b=- reads standard input, which --input a=- already reads: /,
  );
  await assert.rejects(
    givenInputs({ input: ["a=-", "b=@-"] }, { stdin: piped("x") }),
    /--input b=@- reads standard input/,
  );
});

Deno.test("checkSourcedLengths() refuses text from a file over the input's max_length, naming the file", () => {
  const specs = [{ name: "subject", maxLength: 5 }] as InputSpec[];
  checkSourcedLengths(specs, { subject: "short" }, { subject: '"s.txt"' });
  // A typed value is the engine's to check: only values read from somewhere are checked here.
  checkSourcedLengths(specs, { subject: "much too long" }, {});
  assert.throws(
    () => checkSourcedLengths(specs, { subject: "too long" }, { subject: '"s.txt"' }),
    /Input "subject" read from "s.txt" is 8 characters, over its max_length of 5: /,
  );
});
