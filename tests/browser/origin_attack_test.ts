/**
 * A page on another origin, in real Chromium, against the real server: it
 * tries to read runs (CORS and no-CORS fetches, `<img>`, `<script>` and
 * `<iframe>` loads), to create a run, drive one and create a workspace or a
 * pipeline (no-CORS fetches with every body type a page may send without a
 * preflight, CORS posts with and without a preflight, HTML forms posted into
 * a hidden frame, beacons, a sandboxed frame whose Origin is `null`), to
 * watch the run over its WebSocket, and to frame the run page (clickjacking).
 * The page is served once from `localhost` (another site) and once from
 * `127.0.0.1` on another port (the same site, another origin). The server's
 * runs, events, workspaces and pipelines must be unchanged afterwards, and
 * the page must have read nothing of the run. A same-origin control proves
 * the same readers do see the run when the browser allows it.
 */
import assert from "node:assert/strict";
import type { Page, Response } from "playwright-core";
import { launchChromium, screenshot, startDashboard } from "./browser_harness.ts";

/** What the attacker page is told: the server to attack and a run it knows the id of. */
interface AttackPlan {
  target: string;
  runId: string;
}

/** One attempt as the attacker page saw it. */
interface Outcome {
  /** Carried as `?attempt=<id>` on every request of the attempt. */
  id: string;
  label: string;
  /** Whether the attempt asks the server to change something. */
  changes: boolean;
  /** What the page could read: a body, a frame's text, socket frames ("" for nothing). */
  read: string;
  /** How it ended for the page: response type and status, or the error's name. */
  seen: string;
}

/**
 * The attacker page's script. It runs in the browser, so it is serialized
 * with `toString()` and must use nothing from this module.
 */
async function attack(plan: AttackPlan): Promise<Outcome[]> {
  const { target, runId } = plan;
  const outcomes: Outcome[] = [];
  let count = 0;
  const next = (path: string) => {
    const id = `a${++count}`;
    return { id, href: `${target}${path}${path.includes("?") ? "&" : "?"}attempt=${id}` };
  };
  const wait = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
  const describe = (error: unknown) => error instanceof Error ? error.name : String(error);

  async function tryFetch(label: string, path: string, init: RequestInit, changes: boolean) {
    const { id, href } = next(path);
    try {
      const response = await fetch(href, init);
      const read = await response.text().catch(() => "");
      outcomes.push({ id, label, changes, read, seen: `${response.type} ${response.status}` });
    } catch (error) {
      outcomes.push({ id, label, changes, read: "", seen: describe(error) });
    }
  }

  function loadElement(label: string, path: string, tag: "img" | "script" | "iframe") {
    const { id, href } = next(path);
    return new Promise<void>((resolve) => {
      const element = document.createElement(tag);
      let windowError = "";
      const onWindowError = (event: ErrorEvent) => windowError = event.message;
      addEventListener("error", onWindowError);
      const finish = (seen: string) => {
        removeEventListener("error", onWindowError);
        let read = windowError;
        if (element instanceof HTMLIFrameElement) {
          try {
            read += element.contentDocument?.body?.innerText ?? "";
          } catch (error) {
            seen += ` (${describe(error)})`;
          }
        }
        outcomes.push({ id, label, changes: false, read, seen });
        resolve();
      };
      element.addEventListener("load", () => finish("load"));
      element.addEventListener("error", () => finish("error"));
      element.setAttribute("src", href);
      element.hidden = true;
      document.body.append(element);
    });
  }

  // Reads.
  await tryFetch("fetch GET /api/runs, cors", "/api/runs", { mode: "cors" }, false);
  await tryFetch("fetch GET /api/runs, no-cors", "/api/runs", { mode: "no-cors" }, false);
  await tryFetch(
    "fetch GET the run's events, cors",
    `/api/runs/${runId}/events`,
    { mode: "cors" },
    false,
  );
  await tryFetch(
    "fetch GET the run, cors with credentials",
    `/api/runs/${runId}`,
    { mode: "cors", credentials: "include" },
    false,
  );
  await tryFetch(
    "fetch GET the run's export, no-cors",
    `/api/runs/${runId}/export`,
    { mode: "no-cors" },
    false,
  );
  await loadElement("<img> GET /api/runs", "/api/runs", "img");
  await loadElement("<script> GET /api/runs", "/api/runs", "script");
  await loadElement("<iframe> GET the run, read its text", `/api/runs/${runId}`, "iframe");

  // State changes through no-cors fetches, with every body a page may send without a preflight.
  const writes: [string, string, unknown][] = [
    ["create a run", "/api/runs", {
      pipeline: "quick-article",
      model: "offline",
      inputs: { topic: "Stolen" },
      start: true,
    }],
    ["start the run", `/api/runs/${runId}/start`, {}],
    ["pause the run", `/api/runs/${runId}/pause`, { reason: "attack" }],
    ["cancel the run", `/api/runs/${runId}/cancel`, { reason: "attack" }],
    ["create a workspace", "/api/workspaces", { name: "stolen" }],
    ["register a pipeline", "/api/pipelines", { name: "quick-article" }],
  ];
  for (const [what, path, value] of writes) {
    const json = JSON.stringify(value);
    const form = new FormData();
    form.set("payload", json);
    const bodies: [string, RequestInit][] = [
      ["no content type", { body: new TextEncoder().encode(json) }],
      ["text/plain", { body: json, headers: { "content-type": "text/plain" } }],
      ["urlencoded", { body: new URLSearchParams({ payload: json }) }],
      ["multipart/form-data", { body: form }],
      ["claiming application/json", {
        body: json,
        headers: { "content-type": "application/json" },
      }],
    ];
    for (const [kind, init] of bodies) {
      await tryFetch(`no-cors POST, ${kind}: ${what}`, path, {
        method: "POST",
        mode: "no-cors",
        ...init,
      }, true);
    }
  }

  // CORS posts: text/plain needs no preflight (the server sees it), JSON does (it must fail).
  for (const [what, path, value] of [writes[0], writes[3]]) {
    await tryFetch(`cors POST, text/plain: ${what}`, path, {
      method: "POST",
      mode: "cors",
      body: JSON.stringify(value),
      headers: { "content-type": "text/plain" },
    }, true);
    await tryFetch(`cors POST, application/json (preflight): ${what}`, path, {
      method: "POST",
      mode: "cors",
      body: JSON.stringify(value),
      headers: { "content-type": "application/json" },
    }, true);
  }

  // HTML forms posted into a hidden frame.
  for (const [what, path, value] of [writes[0], writes[3]]) {
    for (
      const enctype of ["text/plain", "application/x-www-form-urlencoded", "multipart/form-data"]
    ) {
      const { id, href } = next(path);
      const frame = document.createElement("iframe");
      frame.name = `frame-${id}`;
      frame.hidden = true;
      document.body.append(frame);
      const form = document.createElement("form");
      form.method = "POST";
      form.enctype = enctype;
      form.action = href;
      form.target = frame.name;
      const field = document.createElement("input");
      field.type = "hidden";
      // As text/plain this sends `{…,"pad":"=x"}`: a JSON object.
      const json = JSON.stringify({ ...(value as object), pad: "" });
      field.name = json.slice(0, -2);
      field.value = 'x"}';
      form.append(field);
      document.body.append(form);
      const loaded = new Promise<string>((resolve) => {
        frame.addEventListener("load", () => resolve("load"), { once: true });
        setTimeout(() => resolve("timeout"), 5_000);
      });
      form.submit();
      let seen = await loaded;
      let read = "";
      try {
        read = frame.contentDocument?.body?.innerText ?? "";
      } catch (error) {
        seen += ` (${describe(error)})`;
      }
      outcomes.push({ id, label: `<form> POST, ${enctype}: ${what}`, changes: true, read, seen });
    }
  }

  // Beacons: a simple one, and one claiming JSON.
  for (
    const [kind, type] of [["text/plain", "text/plain"], ["application/json", "application/json"]]
  ) {
    const { id, href } = next(`/api/runs/${runId}/cancel`);
    let seen: string;
    try {
      const body = new Blob([JSON.stringify({ reason: "attack" })], { type });
      seen = navigator.sendBeacon(href, body) ? "queued" : "refused by the browser";
    } catch (error) {
      seen = describe(error);
    }
    outcomes.push({
      id,
      label: `sendBeacon, ${kind}: cancel the run`,
      changes: true,
      read: "",
      seen,
    });
  }

  // The run's WebSocket, which would stream every event and take actions.
  for (const protocols of [[], ["writeit"]]) {
    const { id, href } = next(`/ws/${runId}`);
    const frames: string[] = [];
    const seen = await new Promise<string>((resolve) => {
      let socket: WebSocket;
      try {
        socket = new WebSocket(href.replace(/^http/, "ws"), protocols);
      } catch (error) {
        resolve(describe(error));
        return;
      }
      socket.addEventListener("open", () => {
        socket.send(JSON.stringify({ id: "1", action: "cancel", reason: "attack" }));
      });
      socket.addEventListener("message", (event) => frames.push(String(event.data)));
      socket.addEventListener("close", (event) => resolve(`close ${event.code}`));
      setTimeout(() => resolve("timeout"), 5_000);
    });
    outcomes.push({
      id,
      label: `WebSocket /ws/{run}${protocols.length ? ", protocol writeit" : ""}`,
      changes: true,
      read: frames.join("\n"),
      seen,
    });
  }

  // A sandboxed frame: its requests carry `Origin: null`.
  {
    const read = next("/api/runs");
    const cancel = next(`/api/runs/${runId}/cancel`);
    const frame = document.createElement("iframe");
    frame.hidden = true;
    frame.setAttribute("sandbox", "allow-scripts");
    const script = `
      const results = [];
      const attempt = async (id, href, init) => {
        try {
          const response = await fetch(href, init);
          results.push({ id, seen: response.type + " " + response.status, read: await response.text() });
        } catch (error) {
          results.push({ id, seen: error.name, read: "" });
        }
      };
      await attempt(${JSON.stringify(read.id)}, ${JSON.stringify(read.href)}, { mode: "cors" });
      await attempt(${JSON.stringify(cancel.id)}, ${JSON.stringify(cancel.href)}, {
        method: "POST", mode: "no-cors", body: '{"reason":"attack"}',
      });
      parent.postMessage(results, "*");`;
    frame.srcdoc = `<script type="module">${script}<\/script>`;
    const results = new Promise<{ id: string; seen: string; read: string }[]>((resolve) => {
      addEventListener("message", (event) => {
        if (event.source === frame.contentWindow) resolve(event.data);
      });
      setTimeout(() => resolve([]), 5_000);
    });
    document.body.append(frame);
    const byId = new Map((await results).map((result) => [result.id, result]));
    for (
      const [attempt, label, changes] of [
        [read, "sandboxed frame (Origin null): fetch GET /api/runs, cors", false],
        [cancel, "sandboxed frame (Origin null): no-cors POST, text/plain: cancel the run", true],
      ] as const
    ) {
      const result = byId.get(attempt.id);
      outcomes.push({
        id: attempt.id,
        label,
        changes,
        read: result?.read ?? "",
        seen: result?.seen ?? "no answer",
      });
    }
  }

  // The run page in a frame, to be clicked through an overlay (judged by the test).
  await loadElement("<iframe> the run page (clickjacking)", `/runs/${runId}`, "iframe");

  await wait(300); // beacons leave after the page's work
  return outcomes;
}

function attackerPage(plan: AttackPlan): string {
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Another origin</title>
<style>body{font:13px system-ui;margin:16px}td{padding:2px 8px;border-bottom:1px solid #ddd}</style>
</head><body><h1>A page on another origin</h1><p id="status">Attacking ${plan.target}…</p>
<table id="outcomes"></table>
<script type="module">
const attack = ${attack.toString()};
const outcomes = await attack(${JSON.stringify(plan)});
const table = document.getElementById("outcomes");
for (const outcome of outcomes) {
  const row = table.insertRow();
  for (const text of [outcome.id, outcome.label, outcome.seen, outcome.read.slice(0, 60)]) {
    row.insertCell().textContent = text;
  }
}
document.getElementById("status").textContent = outcomes.length + " attempts";
window.results = outcomes;
</script></body></html>`;
}

/** What the server holds that an attack could change, read same-origin. */
async function serverState(url: string, runId: string): Promise<unknown> {
  const read = async (path: string) => {
    const response = await fetch(`${url}${path}`);
    assert.equal(response.status, 200, `GET ${path}`);
    return await response.json();
  };
  return {
    runs: await read("/api/runs"),
    run: await read(`/api/runs/${runId}`),
    events: await read(`/api/runs/${runId}/events`),
    workspaces: await read("/api/workspaces"),
    pipelines: await read("/api/pipelines"),
  };
}

/** Statuses the server answered, by attempt id, as Chromium's network saw them. */
function watchResponses(page: Page, target: string): Map<string, number[]> {
  const statuses = new Map<string, number[]>();
  page.context().on("response", (response: Response) => {
    const url = new URL(response.url());
    const id = url.searchParams.get("attempt");
    if (url.origin !== target || id === null) return;
    statuses.set(id, [...statuses.get(id) ?? [], response.status()]);
  });
  return statuses;
}

/** Whether the run page rendered inside the attacker's frame (so it could be clicked through). */
async function framedRunPage(page: Page, target: string, runId: string): Promise<boolean> {
  for (const frame of page.frames()) {
    if (!frame.url().startsWith(`${target}/runs/`)) continue;
    const rendered = await frame.evaluate(
      (id) => document.body?.innerText.includes(id) ?? false,
      runId,
    ).catch(() => false);
    if (rendered) return true;
  }
  return false;
}

Deno.test("a page on another origin can neither read nor drive the server", async () => {
  await using dashboard = await startDashboard();
  const target = dashboard.url;
  const created = await fetch(`${target}/api/runs`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({
      pipeline: "quick-article",
      model: "offline",
      inputs: { topic: "Tide pools" },
    }),
  });
  assert.equal(created.status, 201);
  const runId: string = (await created.json()).run.runId;
  const before = await serverState(target, runId);

  const plan: AttackPlan = { target, runId };
  const html = attackerPage(plan);
  const attacker = Deno.serve(
    { hostname: "127.0.0.1", port: 0, onListen: () => {} },
    () => new Response(html, { headers: { "content-type": "text/html; charset=utf-8" } }),
  );
  await using session = await launchChromium({ viewport: { width: 1100, height: 900 } });
  try {
    const origins = [
      `http://localhost:${attacker.addr.port}`,
      `http://127.0.0.1:${attacker.addr.port}`,
    ];
    let tried = 0;
    let refused = 0;
    for (const [index, origin] of origins.entries()) {
      const page = await session.context.newPage();
      const statuses = watchResponses(page, target);
      await page.goto(`${origin}/`);
      await page.waitForFunction(() => "results" in window, undefined, { timeout: 60_000 });
      const outcomes = await page.evaluate(() =>
        (window as unknown as { results: Outcome[] }).results
      );
      const framed = await framedRunPage(page, target, runId);
      await screenshot(page, `origin-attack-${index + 1}`);

      const failures: string[] = [];
      for (const outcome of outcomes) {
        const answered = statuses.get(outcome.id) ?? [];
        const problems = [
          outcome.read.includes(runId) && "read the run",
          outcome.label.startsWith("WebSocket") && outcome.read !== "" && "got a socket frame",
          outcome.changes && answered.some((status) => status < 400) &&
          `the server answered ${answered.join(", ")}`,
          outcome.label.includes("clickjacking") && framed && "the run page rendered in the frame",
        ].filter(Boolean);
        tried++;
        if (problems.length === 0) refused++;
        else failures.push(`${origin} ${outcome.label} (${outcome.seen}): ${problems.join("; ")}`);
      }
      assert.deepEqual(failures, [], `attacks from ${origin} that got through`);
      // Every state change that reached the server met the origin check.
      for (const outcome of outcomes.filter((outcome) => outcome.changes)) {
        for (const status of statuses.get(outcome.id) ?? []) {
          assert.equal(status, 403, `${outcome.label}: status ${status}`);
        }
      }
      assert.ok(
        outcomes.some((outcome) => outcome.changes && statuses.get(outcome.id)?.includes(403)),
        "state changes reached the server and were refused there, not only by the browser",
      );
      await page.close();
    }

    assert.deepEqual(await serverState(target, runId), before, "the server's state is unchanged");
    console.log(`origin attacks: ${tried} tried, ${refused} refused`);

    // Control: from the server's own origin the same readers do see the run.
    const own = await session.context.newPage();
    await own.goto(`${target}/runs/${runId}`);
    const control = await own.evaluate(async (id) => {
      const body = await (await fetch("/api/runs", { mode: "cors" })).text();
      const frame = await new Promise<string>((resolve) => {
        const socket = new WebSocket(`ws://${location.host}/ws/${id}`);
        socket.addEventListener("message", (event) => {
          resolve(String(event.data));
          socket.close();
        });
        setTimeout(() => resolve(""), 5_000);
      });
      return { body, frame };
    }, runId);
    assert.ok(control.body.includes(runId), "a same-origin fetch reads the run");
    assert.ok(control.frame.includes(runId), "a same-origin socket gets the run's hello");
  } finally {
    await attacker.shutdown();
  }
});
