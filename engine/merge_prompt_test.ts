import assert from "node:assert/strict";
import { MERGE_SYSTEM_PROMPT, mergeMessages } from "./merge_prompt.ts";

Deno.test("mergeMessages() shows the request, each draft and the instructions", () => {
  const messages = mergeMessages({
    stepName: "Outline",
    originalPrompt: "Outline an article on CRDTs",
    candidates: [{ label: "Candidate 1 (gpt-4.1)", text: "First" }, {
      label: "Candidate 2 (claude)",
      text: "Second",
    }],
    instructions: "Keep the intro of 2",
  });
  assert.equal(messages[0].content, MERGE_SYSTEM_PROMPT);
  const user = messages[1].content;
  for (const part of ["Outline an article on CRDTs", "First", "Second", "Keep the intro of 2"]) {
    assert.ok(user.includes(part), part);
  }
  assert.ok(user.indexOf("First") < user.indexOf("Second"));
  assert.throws(() => mergeMessages({ stepName: "x", candidates: [{ label: "a", text: "a" }] }));
});
