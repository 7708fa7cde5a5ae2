import assert from "node:assert/strict";
import { dottedPath, YamlSource } from "./yaml_locations.ts";

const text = `steps:
  outline:
    prompt_template: |
      First line
        {{ inputs.topic }}
    plain: hello {{ a }}
    quoted: "x {{ b }}"
    escaped: "a\\tb {{ c }}"
    list: [one, two]
`;

Deno.test("dottedPath() joins keys with dots and indexes with brackets", () => {
  assert.equal(dottedPath(["steps", "outline", "depends_on", 0]), "steps.outline.depends_on[0]");
  assert.equal(dottedPath([]), "");
});

Deno.test("YamlSource.valuePosition() and keyPosition() locate values and keys", () => {
  const source = new YamlSource(text);
  assert.deepEqual(source.valuePosition(["steps", "outline", "plain"]), { line: 6, column: 12 });
  assert.deepEqual(source.keyPosition(["steps", "outline", "plain"]), { line: 6, column: 5 });
  assert.deepEqual(source.valuePosition(["steps", "outline", "list", 1]), { line: 9, column: 17 });
  // A missing path falls back to its closest ancestor.
  assert.deepEqual(source.valuePosition(["steps", "outline", "nothing"]), { line: 3, column: 5 });
});

Deno.test("YamlSource.positionInScalar() maps template positions into the file", () => {
  const source = new YamlSource(text);
  const block = ["steps", "outline", "prompt_template"];
  assert.deepEqual(source.positionInScalar(block, 2, 3), { line: 5, column: 9 });
  assert.deepEqual(source.positionInScalar(["steps", "outline", "plain"], 1, 7), {
    line: 6,
    column: 18,
  });
  assert.deepEqual(source.positionInScalar(["steps", "outline", "quoted"], 1, 3), {
    line: 7,
    column: 16,
  });
  // Escapes make exact positions impossible: the scalar's start is used.
  assert.deepEqual(source.positionInScalar(["steps", "outline", "escaped"], 1, 6), {
    line: 8,
    column: 14,
  });
});

Deno.test("YamlSource.pathAt() finds the key or value at an offset", () => {
  const source = new YamlSource(text);
  assert.deepEqual(source.pathAt(text.indexOf("hello")), ["steps", "outline", "plain"]);
  assert.deepEqual(source.pathAt(text.indexOf("two")), ["steps", "outline", "list", 1]);
  assert.deepEqual(source.pathAt(text.indexOf("outline")), ["steps", "outline"]);
});
