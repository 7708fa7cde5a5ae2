/**
 * `writeit completion bash` loaded into a real bash: `complete -p writeit`
 * names the function, and calls of it driven by COMP_WORDS/COMP_CWORD give
 * commands, subcommands, options, and current pipelines, workspaces, styles
 * and run ids (asked of `writeit __complete` at each call). The zsh and fish
 * scripts pass their shells' syntax checks; sourced into zsh the script
 * registers its completer, and fish completes commands and live pipelines.
 */
import assert from "node:assert/strict";
import { runCli, temporaryHome } from "./cli_harness.ts";

const CLI = new URL("../cli.ts", import.meta.url).pathname;
const CONFIG = new URL("../deno.json", import.meta.url).pathname;

async function shell(
  program: string,
  script: string,
  home: string,
): Promise<{ code: number; stdout: string; stderr: string }> {
  const output = await new Deno.Command(program, {
    args: ["-c", script],
    clearEnv: true,
    env: {
      PATH: Deno.env.get("PATH") ?? "/usr/bin:/bin",
      HOME: home,
      WRITEIT_HOME: home,
      NO_COLOR: "1",
      DENO_NO_UPDATE_CHECK: "1",
    },
    stdout: "piped",
    stderr: "piped",
  }).output();
  const decoder = new TextDecoder();
  return {
    code: output.code,
    stdout: decoder.decode(output.stdout),
    stderr: decoder.decode(output.stderr),
  };
}

function installed(program: string): boolean {
  try {
    new Deno.Command(program, { args: ["--version"], stdout: "null", stderr: "null" }).outputSync();
    return true;
  } catch {
    return false;
  }
}

Deno.test("writeit completion bash completes commands, options and current pipelines, workspaces, styles and runs", async () => {
  await using home = await temporaryHome();
  const run = await runCli([
    "run",
    "quick-article",
    "--input",
    "topic=Zig",
    "--model",
    "offline",
    "--yes",
  ], {
    home: home.path,
  });
  assert.equal(run.code, 0, run.stderr);
  const runId = /Run ([0-9a-f-]{36})/.exec(run.stderr)![1];
  assert.equal((await runCli(["workspace", "create", "drafts"], { home: home.path })).code, 0);
  const deno = Deno.execPath();
  const script = `
set -e
writeit() { "${deno}" run --quiet --allow-all --config "${CONFIG}" "${CLI}" "$@"; }
source <(writeit completion bash)
complete -p writeit
# A pipeline added after the script was generated must still complete.
mkdir -p "$WRITEIT_HOME/workspaces/default/pipelines"
cp "${
    new URL("../pipelines/quick-article.yaml", import.meta.url).pathname
  }" "$WRITEIT_HOME/workspaces/default/pipelines/zz-fresh.yaml"
ask() {
  COMP_WORDS=("$@"); COMP_CWORD=$(( \${#COMP_WORDS[@]} - 1 )); COMPREPLY=()
  _writeit
  echo "== $*"
  printf '%s\\n' "\${COMPREPLY[@]}"
}
ask writeit ""
ask writeit wor
ask writeit workspace u
ask writeit workspace use ""
ask writeit run ""
ask writeit run quick-article --st
ask writeit run quick-article --style ""
ask writeit -w ""
ask writeit resume ""
ask writeit export "${runId.slice(0, 4)}" --format ""
ask writeit run quick-article --input topic=x --mo
`;
  const result = await shell("bash", script, home.path);
  assert.equal(result.code, 0, result.stderr);
  const sections = new Map<string, string[]>();
  let current = "";
  const lines = result.stdout.split("\n");
  assert.match(lines[0], /^complete -F _writeit writeit$/);
  for (const line of lines.slice(1)) {
    if (line.startsWith("== ")) {
      current = line.slice(3).trim();
      sections.set(current, []);
    } else if (line) sections.get(current)?.push(line);
  }
  const get = (key: string) =>
    sections.get(key) ?? assert.fail(`no section "${key}" in ${result.stdout}`);
  for (
    const command of ["run", "resume", "branch", "rewind", "export", "completion", "workspace"]
  ) {
    assert.ok(get("writeit").includes(command), `top level offers ${command}`);
  }
  assert.ok(!get("writeit").includes("__complete"), "the hidden command stays hidden");
  assert.deepEqual(get("writeit wor"), ["workspace"]);
  assert.deepEqual(get("writeit workspace u"), ["use"]);
  assert.deepEqual(get("writeit workspace use").sort(), ["default", "drafts"]);
  assert.ok(get("writeit run").includes("quick-article"));
  assert.ok(get("writeit run").includes("tech-article"));
  assert.ok(get("writeit run").includes("zz-fresh"), "values are asked for at each Tab");
  assert.deepEqual(get("writeit run quick-article --st"), ["--style"]);
  assert.ok(get("writeit run quick-article --style").includes("technical-expert"));
  assert.deepEqual(get("writeit -w").sort(), ["default", "drafts"]);
  assert.deepEqual(get("writeit resume"), [runId]);
  assert.deepEqual(get(`writeit export ${runId.slice(0, 4)} --format`).sort(), [
    "html",
    "json",
    "md",
    "yaml",
  ]);
  assert.deepEqual(get("writeit run quick-article --input topic=x --mo"), ["--model"]);
});

Deno.test("writeit completion zsh and fish print scripts their shells accept; other shells are a usage error", async () => {
  await using home = await temporaryHome();
  const zsh = await runCli(["completion", "zsh"], { home: home.path });
  assert.equal(zsh.code, 0, zsh.stderr);
  assert.match(zsh.stdout, /^# writeit completion for zsh/);
  assert.doesNotMatch(zsh.stdout, /#compdef/, "sourced, not autoloaded");
  assert.match(zsh.stdout, /bashcompinit/);
  const fish = await runCli(["completion", "fish"], { home: home.path });
  assert.equal(fish.code, 0, fish.stderr);
  assert.match(
    fish.stdout,
    /complete -c writeit -n '__fish_seen_subcommand_from run' -a '\(writeit __complete pipelines 2>\/dev\/null\)'/,
  );
  assert.match(fish.stdout, /-l style -r -a '\(writeit __complete styles/);
  for (const [program, text] of [["zsh", zsh.stdout], ["fish", fish.stdout]] as const) {
    // Required, like tmux for the interactive tests: .ci/run installs both from Debian.
    assert.ok(installed(program), `${program} is not installed: apt-get install -y zsh fish`);
    const path = `${home.path}/completion.${program}`;
    await Deno.writeTextFile(path, text);
    const check = await shell(program, `${program} -n ${path}`, home.path);
    assert.equal(check.code, 0, `${program} -n: ${check.stderr}`);
  }
  // Sourced into zsh, the script registers a completer for writeit.
  const zshLoaded = await shell(
    "zsh",
    `zsh -f -c 'source ${home.path}/completion.zsh; print -r -- "\${_comps[writeit]}"'`,
    home.path,
  );
  assert.match(zshLoaded.stdout, /_bash_complete -F _writeit/, zshLoaded.stderr);
  // fish completes for real, asking writeit for the current pipelines.
  const bin = `${home.path}/bin`;
  await Deno.mkdir(bin);
  await Deno.writeTextFile(
    `${bin}/writeit`,
    `#!/bin/sh\nexec "${Deno.execPath()}" run --quiet --allow-all --config "${CONFIG}" "${CLI}" "$@"\n`,
  );
  await Deno.chmod(`${bin}/writeit`, 0o755);
  const fished = await shell(
    "fish",
    `PATH=${bin}:$PATH fish -c 'source ${home.path}/completion.fish; complete -C "writeit pip"; complete -C "writeit run "; complete -C "writeit completion "; complete -C "writeit pipeline validate "'`,
    home.path,
  );
  assert.deepEqual(fished.stdout.trim().split("\n"), [
    "pipeline",
    "field-guide",
    "quick-article",
    "tech-article",
    "bash",
    "fish",
    "zsh",
    "field-guide",
    "quick-article",
    "tech-article",
  ], fished.stderr);
  const bad = await runCli(["completion", "powershell"], { home: home.path });
  assert.equal(bad.code, 2);
  assert.match(bad.stderr, /use bash, zsh or fish/);
});
