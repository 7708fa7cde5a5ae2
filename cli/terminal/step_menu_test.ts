import assert from "node:assert/strict";
import { Output } from "../output.ts";
import { menuHelp, parseMenuCommand } from "./step_menu.ts";

Deno.test("parseMenuCommand() reads picks, views and edits within range", () => {
  assert.deepEqual(parseMenuCommand("2", 3), { type: "pick", number: 2 });
  assert.deepEqual(parseMenuCommand("v 3", 3), { type: "view", number: 3 });
  assert.deepEqual(parseMenuCommand("e 1", 3), { type: "edit", number: 1 });
  assert.deepEqual(parseMenuCommand("4", 3), { error: "There is no candidate 4: use 1 to 3" });
  assert.deepEqual(parseMenuCommand("", 3), { type: "list" });
});

Deno.test("parseMenuCommand() reads a merge list with or without spaces, then instructions", () => {
  for (const line of ["m 1,2", "m 1, 2", "m 1 2", "merge 1 ,2"]) {
    assert.deepEqual(parseMenuCommand(line, 3), { type: "merge", numbers: [1, 2] }, line);
  }
  assert.deepEqual(parseMenuCommand("m 1, 3 keep the second intro", 3), {
    type: "merge",
    numbers: [1, 3],
    instructions: "keep the second intro",
  });
  assert.deepEqual(parseMenuCommand("m 1", 3), {
    error: "Merge needs two or more candidates: m 1,2",
  });
  assert.deepEqual(parseMenuCommand("m 1,1", 3), { error: "Name each candidate once: m 1,2" });
  assert.deepEqual(parseMenuCommand("m 1,5", 3), { error: "There is no candidate 5: use 1 to 3" });
});

const plain = new Output({ interactive: false, env: {} }).styles;

Deno.test("menuHelp() offers only what can be done: no merge with one candidate, no back on the first step", () => {
  const all = menuHelp(3, plain);
  assert.match(all, /1\.\.3 pick {3}v N view in full {3}m 1,2 merge {3}e \[N\] edit in \$EDITOR/);
  assert.match(all, /< back/);
  const one = menuHelp(1, plain, {
    pick: true,
    merge: true,
    edit: true,
    feedback: false,
    regenerate: false,
    branch: true,
    back: false,
    skip: true,
  });
  assert.equal(
    one,
    "1 pick   v 1 view in full   e edit in $EDITOR\nb branch   s skip   q quit",
  );
});
