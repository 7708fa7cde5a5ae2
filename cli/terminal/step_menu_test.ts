import assert from "node:assert/strict";
import { parseMenuCommand } from "./step_menu.ts";

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
