import assert from "node:assert/strict";
import { existsSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { runCli, temporaryHome } from "./cli_harness.ts";

Deno.test("writeit init creates the home and the default workspace, and is safe to repeat", async () => {
  await using home = await temporaryHome();
  const first = await runCli(["init"], { home: home.path });
  assert.equal(first.code, 0, first.stderr);
  assert.match(first.stdout, /Initialised WriteIt in/);
  assert.ok(existsSync(join(home.path, "workspaces", "default", "data")));
  const second = await runCli(["init", "--json"], { home: home.path });
  assert.equal(second.code, 0);
  assert.equal(JSON.parse(second.stdout).created, false);
});

Deno.test("writeit workspace create|list|use|info|remove manage workspaces", async () => {
  await using home = await temporaryHome();
  assert.equal((await runCli(["init"], { home: home.path })).code, 0);
  const created = await runCli(["workspace", "create", "blog", "-d", "Blog posts"], {
    home: home.path,
  });
  assert.equal(created.code, 0, created.stderr);
  const used = await runCli(["workspace", "use", "blog"], { home: home.path });
  assert.equal(used.code, 0);
  const listed = JSON.parse(
    (await runCli(["workspace", "list", "--json"], { home: home.path })).stdout,
  );
  assert.deepEqual(
    listed.map((
      workspace: { name: string; active: boolean },
    ) => [workspace.name, workspace.active]),
    [["blog", true], ["default", false]],
  );
  const info = JSON.parse(
    (await runCli(["workspace", "info", "--json"], { home: home.path })).stdout,
  );
  assert.equal(info.name, "blog");
  assert.equal(info.description, "Blog posts");

  const refused = await runCli(["workspace", "remove", "blog"], { home: home.path });
  assert.equal(refused.code, 1);
  assert.match(refused.stderr, /Workspace "blog" is the active workspace and cannot be removed/);
  assert.ok(existsSync(join(home.path, "workspaces", "blog")));

  assert.equal((await runCli(["workspace", "use", "default"], { home: home.path })).code, 0);
  const removed = await runCli(["workspace", "remove", "blog"], { home: home.path });
  assert.equal(removed.code, 0, removed.stderr);
  assert.ok(!existsSync(join(home.path, "workspaces", "blog")));
});

Deno.test("writeit workspace create refuses names that are paths, empty or too long, and writes nothing", async () => {
  await using home = await temporaryHome();
  assert.equal((await runCli(["init"], { home: home.path })).code, 0);
  const before = readdirSync(join(home.path, "workspaces")).sort();
  const cases: [string, RegExp][] = [
    ["../x", /"\.\.\/x" is a path, not a name/],
    ["a/b", /"a\/b" is a path, not a name/],
    ["", /name cannot be empty/],
    ["x".repeat(200), /is 200 characters long: use at most 64/],
    ["-flag", /unknown option|has characters that are not allowed/],
    ["bad name", /has characters that are not allowed/],
  ];
  for (const [name, message] of cases) {
    const result = await runCli(["workspace", "create", "--", name], { home: home.path });
    assert.notEqual(result.code, 0, `accepted "${name}"`);
    assert.match(result.stderr, message);
  }
  assert.deepEqual(readdirSync(join(home.path, "workspaces")).sort(), before);
});

Deno.test("writeit --workspace and WRITEIT_WORKSPACE pick the workspace, unknown ones get a suggestion", async () => {
  await using home = await temporaryHome();
  await runCli(["init"], { home: home.path });
  await runCli(["workspace", "create", "notes"], { home: home.path });
  const byFlag = JSON.parse(
    (await runCli(["--workspace", "notes", "workspace", "info", "--json"], { home: home.path }))
      .stdout,
  );
  assert.equal(byFlag.name, "notes");
  const byEnv = JSON.parse(
    (await runCli(["workspace", "info", "--json"], {
      home: home.path,
      env: { WRITEIT_WORKSPACE: "notes" },
    })).stdout,
  );
  assert.equal(byEnv.name, "notes");
  const typo = await runCli(["-w", "ntoes", "workspace", "info"], { home: home.path });
  assert.equal(typo.code, 1);
  assert.match(typo.stderr, /Workspace "ntoes" does not exist: did you mean "notes"\?/);
});

Deno.test("writeit config set|get|list|unset layer values and say where each comes from", async () => {
  await using home = await temporaryHome();
  await runCli(["init"], { home: home.path });
  assert.equal(
    (await runCli(["config", "set", "cache.ttl_hours", "6", "--global"], { home: home.path })).code,
    0,
  );
  assert.equal(
    (await runCli(["config", "set", "cache.ttl_hours", "3"], { home: home.path })).code,
    0,
  );
  const get = JSON.parse(
    (await runCli(["config", "get", "cache.ttl_hours", "--json"], { home: home.path })).stdout,
  );
  assert.deepEqual(get, { key: "cache.ttl_hours", value: 3, source: "workspace" });
  const fromEnv = JSON.parse(
    (await runCli(["config", "get", "cache.ttl_hours", "--json"], {
      home: home.path,
      env: { WRITEIT_CACHE_TTL_HOURS: "1" },
    })).stdout,
  );
  assert.equal(fromEnv.source, "environment");
  assert.equal((await runCli(["config", "unset", "cache.ttl_hours"], { home: home.path })).code, 0);
  const list = JSON.parse((await runCli(["config", "list", "--json"], { home: home.path })).stdout);
  const ttl = list.find((entry: { key: string }) => entry.key === "cache.ttl_hours");
  assert.deepEqual([ttl.value, ttl.source], [6, "global"]);
  const secret = list.find((entry: { key: string }) => entry.key === "providers.openai.api_key");
  assert.equal(secret.value, null);

  const typo = await runCli(["config", "set", "cache.ttl_hour", "3"], { home: home.path });
  assert.equal(typo.code, 1);
  assert.match(
    typo.stderr,
    /Unknown configuration key "cache.ttl_hour": did you mean "cache.ttl_hours"\?/,
  );
  const bad = await runCli(["config", "set", "preferences.max_concurrent_pipelines", "257"], {
    home: home.path,
  });
  assert.match(
    bad.stderr,
    /expected a number of at most 256 \(runs past the limit wait their turn/,
  );
  const server = await runCli(["config", "set", "preferences.max_concurrent_pipelines", "200"], {
    home: home.path,
  });
  assert.equal(server.code, 0, server.stderr);
});

Deno.test("writeit config hides secrets from list and get", async () => {
  await using home = await temporaryHome();
  const result = await runCli(["config", "list"], {
    home: home.path,
    env: { OPENAI_API_KEY: "sk-secret-value" },
  });
  assert.equal(result.code, 0, result.stderr);
  assert.ok(!result.stdout.includes("sk-secret-value"));
  assert.match(result.stdout, /providers\.openai\.api_key\s+\(set, hidden\)\s+environment/);
});

Deno.test("writeit reports unknown commands as usage errors with exit code 2", async () => {
  await using home = await temporaryHome();
  const result = await runCli(["workspcae", "list"], { home: home.path });
  assert.equal(result.code, 2);
  assert.match(result.stderr, /unknown command 'workspcae'/);
  assert.match(result.stderr, /Did you mean workspace\?/);
});

Deno.test("writeit config reports a broken config.yaml with its location and never rewrites it", async () => {
  await using home = await temporaryHome();
  await runCli(["init"], { home: home.path });
  const file = join(home.path, "workspaces", "default", "config.yaml");
  const broken = "cache:\n  ttl_hours: [1\nb: : c\n";
  await Deno.writeTextFile(file, broken);
  const commands = [["config", "set", "cache.ttl_hours", "3"], ["config", "list"], [
    "runs",
    "list",
  ]];
  for (const args of commands) {
    const result = await runCli(args, { home: home.path });
    assert.equal(result.code, 1, args.join(" "));
    assert.match(result.stderr, new RegExp(`Cannot read ${file}:\\d+:\\d+: `), args.join(" "));
    assert.doesNotMatch(result.stderr, /unexpected failure/);
  }
  assert.equal(await Deno.readTextFile(file), broken);
});

Deno.test("writeit config set --json hides secrets, and get prints nothing for an unset open key", async () => {
  await using home = await temporaryHome();
  const set = await runCli(["config", "set", "providers.openai.api_key", "sk-SECRET", "--json"], {
    home: home.path,
  });
  assert.equal(set.code, 0, set.stderr);
  assert.ok(!set.stdout.includes("sk-SECRET"));
  assert.equal(JSON.parse(set.stdout).value, "(hidden)");
  const unset = await runCli(["config", "get", "prices.gpt-4.1.input", "--json"], {
    home: home.path,
  });
  assert.equal(unset.code, 0, unset.stderr);
  assert.deepEqual(JSON.parse(unset.stdout), {
    key: "prices.gpt-4.1.input",
    value: null,
    source: "default",
  });
});

Deno.test("writeit workspace create default on a fresh home creates it once, then refuses a second", async () => {
  await using home = await temporaryHome();
  const first = await runCli(["workspace", "create", "default"], { home: home.path });
  assert.equal(first.code, 0, first.stderr);
  const second = await runCli(["workspace", "create", "default"], { home: home.path });
  assert.equal(second.code, 1);
  assert.match(second.stderr, /Workspace "default" already exists/);
});

Deno.test("writeit doctor --timeout must be a whole number of milliseconds", async () => {
  await using home = await temporaryHome();
  const result = await runCli(["doctor", "--timeout", "abc"], { home: home.path });
  assert.equal(result.code, 2);
  assert.match(
    result.stderr,
    /--timeout must be a whole number of milliseconds above 0, not "abc"/,
  );
});

Deno.test("writeit says to set WRITEIT_HOME when there is no home folder, and writes nothing", async () => {
  await using home = await temporaryHome();
  const result = await runCli(["workspace", "list"], {
    home: home.path,
    env: { HOME: "", WRITEIT_HOME: "" },
  });
  assert.equal(result.code, 1);
  assert.match(result.stderr, /Cannot find the home folder: set WRITEIT_HOME/);
  assert.deepEqual(readdirSync(home.path), []);
});
