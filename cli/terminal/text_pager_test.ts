import assert from "node:assert/strict";
import { pagerCommand, screenRows } from "./text_pager.ts";

Deno.test("pagerCommand() takes $PAGER, none for an empty one or cat, else less -R when on the PATH", async () => {
  assert.equal(pagerCommand({ PAGER: "most -s" }), "most -s");
  assert.equal(pagerCommand({ PAGER: "" }), undefined);
  assert.equal(pagerCommand({ PAGER: "cat" }), undefined);
  const folder = await Deno.makeTempDir();
  try {
    assert.equal(pagerCommand({ PATH: folder }), undefined);
    await Deno.writeTextFile(`${folder}/less`, "#!/bin/sh\n");
    assert.equal(pagerCommand({ PATH: `/nowhere:${folder}` }), "less -R");
  } finally {
    await Deno.remove(folder, { recursive: true });
  }
});

Deno.test("screenRows() counts wrapped lines, an empty line as one", () => {
  assert.equal(screenRows("a\n\nb", 80), 3);
  assert.equal(screenRows("x".repeat(81), 80), 2);
  assert.equal(screenRows("\x1b[1mbold\x1b[22m", 4), 1);
});
