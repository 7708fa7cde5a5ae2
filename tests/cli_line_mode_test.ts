/**
 * The line mode of `writeit run` in a real terminal (tmux, tests/terminal_pane.ts):
 * a prompt is edited in place (arrows, Backspace mid-line, Home/End,
 * Ctrl-W, Ctrl-U) instead of printing `^[[D`; Up brings back what was typed
 * at that kind of prompt, in this run and in the next command (the history
 * file of the WriteIt home); feedback of several lines goes between `"""`
 * lines; `@path` at a text prompt reads the file; `v N` of a text taller
 * than the terminal opens `less -R`; and
 * Ctrl-C at the menu pauses the run with the terminal back in its normal
 * mode, and the hint names the command as it was run (`./writeit`). tmux is required: without it the test fails and says so.
 */
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { temporaryHome } from "./cli_harness.ts";
import { Pane, requireTmux } from "./terminal_pane.ts";

const CLI = new URL("../cli.ts", import.meta.url).pathname;
const CONFIG = new URL("../deno.json", import.meta.url).pathname;

/** A script that runs `writeit ARGS` in the home, then says how it exited and how the terminal was left. */
async function launcher(home: string, args: string[], env: Record<string, string> = {}) {
  const quoted = args.map((arg) => `'${arg.replace(/'/g, `'\\''`)}'`).join(" ");
  const path = `${home}/launch-${crypto.randomUUID().slice(0, 8)}.sh`;
  const extra = Object.entries(env).map(([key, value]) => `${key}='${value}'`).join(" ");
  await Deno.writeTextFile(
    path,
    [
      `export WRITEIT_HOME='${home}' HOME='${home}' NO_COLOR=1 RUST_BACKTRACE=0 DENO_NO_UPDATE_CHECK=1 ${extra}`,
      `cd '${home}'`,
      `'${Deno.execPath()}' run --quiet --allow-all --config '${CONFIG}' '${CLI}' ${quoted}`,
      `echo "__EXIT_$?__"`,
      // How the CLI left the terminal: "icanon echo" is its normal mode.
      `echo "__TTY_$(stty -a | tr ' ;' '\\n\\n' | grep -x -e icanon -e -icanon -e echo -e -echo | tr '\\n' ' ')__"`,
      "sleep 600",
    ].join("\n") + "\n",
  );
  return path;
}

Deno.test("writeit run in a terminal: line editing, history per prompt, a feedback block, a pager, and Ctrl-C", async () => {
  requireTmux();
  await using home = await temporaryHome();
  const session = `writeit-line-${crypto.randomUUID().slice(0, 8)}`;
  const pane = new Pane(
    session,
    await launcher(home.path, ["run", "quick-article", "--model", "offline"], {
      PATH: `/usr/bin:/bin`,
      // As the ./writeit launcher says it was run: the hints name it.
      WRITEIT_COMMAND: "./writeit",
    }),
    { columns: 100, rows: 14 },
  );
  let runId: string;
  try {
    await pane.waitFor(
      (text) => text.includes("Article Topic (topic)") && pane.lastLine() === ">",
      "the topic prompt",
    );
    // "@path" at a text prompt reads the file; a missing one is said and the input asked again.
    pane.type("@nope.md");
    await pane.waitFor(
      /Input "topic" names "nope.md", which does not exist: check the path/,
      "the missing file",
    );
    await pane.waitFor(() => pane.lastLine() === ">", "the topic asked again");
    pane.typeOnly("Event sorcing");
    pane.keys("Left", "Left", "Left", "Left", "Left", "Left", "BSpace");
    pane.typeOnly("ou");
    await pane.waitFor(() => pane.lastLine() === "> Event ouorcing", "the line edited mid-way");
    pane.keys("Home");
    pane.typeOnly("The ");
    pane.keys("End");
    pane.typeOnly(" notes");
    pane.keys("C-w");
    pane.typeOnly("log");
    await pane.waitFor(
      () => pane.lastLine() === "> The Event ouorcing log",
      "Home, End and Ctrl-W",
    );
    assert.ok(!pane.screen().includes("^[["), "no escape sequence is printed");
    pane.type("");
    await pane.waitFor(/1-3 or value>/, "the audience choice");
    pane.type("");
    let screen = await pane.nextMenu(0, "the first menu");
    runId = /Run ([0-9a-f-]{36})/.exec(screen)![1];
    // One candidate on the first step: no merge and no back are offered, and merge says why.
    assert.match(
      screen,
      /\n1 pick {3}v 1 view in full {3}e edit in \$EDITOR\nf feedback \+ regenerate {3}r regenerate {3}b branch {3}s skip {3}q quit\n/,
    );
    pane.type("m 1,2");
    await pane.waitFor(
      /Not possible now: Step "plan" has fewer than 2 candidates to merge\./,
      "merge refused",
    );

    // A text taller than the 14-row terminal opens in less; q comes back to the menu.
    pane.type("v 1");
    await pane.waitFor(() => /^(:|\(END\))\s*$/.test(pane.lastLine()), "less");
    pane.keys("q");
    await pane.waitFor(() => pane.lastLine() === "choice>", "the menu after the pager");

    pane.type("f");
    await pane.waitFor(
      (screen) =>
        /Feedback \(Enter sends · """ alone starts several lines · empty cancels\)\nfeedback>/
          .test(screen) && pane.lastLine() === "feedback>",
      "the feedback prompt",
    );
    let menus = pane.count("choice>");
    pane.type("Shorter, please");
    screen = await pane.nextMenu(menus, "the menu after the first feedback");
    pane.type("f");
    await pane.waitFor(
      () => pane.count("Feedback (Enter sends") === 2 && pane.lastLine() === "feedback>",
      "the second feedback prompt",
    );
    pane.type('"""');
    await pane.waitFor(/Several lines: end with """/, "the block");
    pane.type("Open with a question.");
    pane.type("End with a list.");
    menus = pane.count("choice>");
    pane.type('"""');
    screen = await pane.nextMenu(menus, "the menu after the block");
    assert.match(
      screen,
      /Feedback so far: Shorter, please \| Open with a question\. ↵ End with a list\./,
    );

    // Up walks this prompt's history (menu keys, not feedback); Ctrl-U clears the line.
    pane.keys("Up");
    await pane.waitFor(() => pane.lastLine() === "choice> f", "Up: the last menu key");
    pane.keys("Up");
    await pane.waitFor(() => pane.lastLine() === "choice> v 1", "Up again: v 1");
    pane.keys("Up");
    await pane.waitFor(() => pane.lastLine() === "choice> m 1,2", "Up again: m 1,2");
    pane.keys("Down", "Down", "Down", "C-u");
    await pane.waitFor(() => pane.lastLine() === "choice>", "Down back to an empty line");

    pane.keys("C-c");
    screen = await pane.waitFor(/__TTY_.*__/, "the end of the command");
    assert.match(screen, new RegExp(`Paused\\. Continue later with: \\./writeit resume ${runId}`));
    assert.match(screen, /__EXIT_0__/);
    assert.match(screen, /__TTY_icanon echo __/, "the terminal is back in its normal mode");
  } finally {
    pane.close();
  }

  const history = readFileSync(`${home.path}/history`, "utf8");
  assert.match(history, /"kind":"input.topic","text":"The Event ouorcing log"/);
  assert.match(history, /"kind":"feedback","text":"Shorter, please"/);

  // The next command recalls the feedback typed in this one.
  const again = new Pane(`${session}-2`, await launcher(home.path, ["resume", runId]));
  try {
    await again.nextMenu(0, "the menu of the resumed run");
    again.type("f");
    await again.waitFor(() => again.lastLine() === "feedback>", "the feedback prompt");
    again.keys("Up");
    await again.waitFor(
      () => again.lastLine() === "feedback> Shorter, please",
      "the feedback of the earlier command",
    );
    again.keys("C-u");
    again.type("");
    await again.waitFor(/No feedback given\./, "an empty feedback cancelled");
    again.type("q");
    await again.waitFor(/__EXIT_0__/, "the end of the command");
  } finally {
    again.close();
  }
});

Deno.test("writeit run in a terminal: parallel steps stream on lines that name their step, and a merge shows its progress", async () => {
  requireTmux();
  await using home = await temporaryHome();
  const session = `writeit-line-${crypto.randomUUID().slice(0, 8)}`;
  await Deno.writeTextFile(`${home.path}/notes.md`, "Flags decouple deploy from release.\n");
  const parallel = new Pane(
    session,
    await launcher(
      home.path,
      [
        "run",
        "field-guide",
        "--model",
        "offline",
        "--input",
        "subject=Feature flags",
        "--input",
        "reader=newcomers",
        "--input",
        "sections=3",
      ],
      { WRITEIT_OFFLINE_CHUNK_DELAY_MS: "15" },
    ),
  );
  try {
    // The textarea's text from a file, typed as @path at its prompt.
    await parallel.waitFor(
      /Notes and sources \(notes\)[\s\S]*or type @path to read a file/,
      "the notes prompt",
    );
    parallel.type("@notes.md");
    await parallel.waitFor(/Read 35 characters from "notes.md"\./, "the file read");
    // research and audience_map run side by side after brief.
    await parallel.nextMenu(0, "the brief's menu");
    parallel.type("1");
    const streaming = await parallel.waitFor(
      (screen) =>
        /\[\d\] research · offline:gpt-4\.1 #1 [\d,]+ chars/.test(screen) &&
        /\[\d\] audience_map · offline:gpt-4\.1 #1 [\d,]+ chars/.test(screen),
      "both steps streaming",
    );
    assert.match(streaming, /steps 2\+3\/6 (research, audience_map|audience_map, research) · /);
    await parallel.waitFor(
      / {2}(research|audience_map) · offline:\S+ #\d {2}[\d,]+ chars {2}✓/,
      "a finished candidate named with its step",
    );
  } finally {
    parallel.close();
  }

  const merging = new Pane(
    `${session}-merge`,
    await launcher(
      home.path,
      ["run", "quick-article", "--model", "offline", "-n", "2", "--input", "topic=Merges"],
      { WRITEIT_OFFLINE_CHUNK_DELAY_MS: "4" },
    ),
  );
  try {
    await merging.waitFor(/1-3 or value>/, "the audience choice");
    merging.type("");
    await merging.nextMenu(0, "the first menu");
    merging.type("m 1,2");
    await merging.waitFor(
      /[⠋⠙⠹⠸⠼⠴⠦⠧⠇⠏] Merging 1, 2 · [1-9][\d,]* chars received · \d+s/,
      "the merge's progress line",
    );
    const screen = await merging.nextMenu(1, "the menu after the merge");
    assert.match(screen, /Merged 1, 2 in \d+\.\ds\./);
    assert.match(screen, /Merged into candidate 3/);
  } finally {
    merging.close();
  }
});
