/**
 * Island: a run, live. It follows the run over the WebSocket (client/
 * RunSocket: reconnects after a server restart and resumes from the last
 * sequence), streams candidates into their model's column as they are
 * written, re-reads the run after stored events, and lets the writer steer:
 * pick, merge, edit, feedback and regenerate, regenerate, skip, branch,
 * rewind, pause, resume, cancel, start. Keys: 1..9 pick on the step in
 * focus, f focuses its feedback, r regenerates it. Refusals show the
 * server's problem detail. The timeline shows the run as it was at any
 * event; charts, the compare view and export links complete the page.
 */
import type { JSX } from "preact";
import { useEffect, useMemo, useRef } from "preact/hooks";
import { useSignal } from "@preact/signals";
import type { AIResponse, PipelineRun } from "../engine/run_model.ts";
import { allowedActions } from "../engine/run_session.ts";
import type { RunResult, WriteItClient } from "../client/mod.ts";
import { candidateColumns, pickableCards } from "./candidate_columns.ts";
import { branchCount, type BranchNode, BranchTree } from "./branch_tree.tsx";
import { CompareView, type RelatedRun } from "./compare_view.tsx";
import { ConnectionBadge } from "./connection_badge.tsx";
import { ExportLinks } from "./export_links.tsx";
import {
  type ConnectionProps,
  dashboardClient,
  describeFailure,
  type FailureView,
  PAGE_ACTOR,
} from "./dashboard_client.ts";
import { FailureAlert } from "./failure_alert.tsx";
import { formatCost, formatTokens, shortId } from "./format.ts";
import { followRun } from "./follow_run.ts";
import { RunLiveState } from "./run_live_state.ts";
import { RunControls } from "./run_controls.tsx";
import { ArticleView } from "./article_view.tsx";
import { runTitle } from "../engine/run_title.ts";
import { loadTextMode, setTextMode, textMode } from "./text_mode.ts";
import { RunProgress } from "./run_progress.tsx";
import { RunTimeline } from "./run_timeline.tsx";
import { StatusBadge } from "./status_badge.tsx";
import { type StepIntent, StepPanel } from "./step_panel.tsx";
import { UsageCharts } from "./usage_charts.tsx";

/** A step's name and what the pipeline allows for it. */
export interface StepInfo {
  name: string;
  description?: string;
  allowFeedback: boolean;
}

/** Props of `RunView` (serializable). */
export interface RunViewProps extends ConnectionProps {
  run: PipelineRun;
  driving: boolean;
  steps: Record<string, StepInfo>;
  /** Other runs of the family, for branch comparisons. */
  related: RelatedRun[];
  /** The run's family, from its root. */
  tree: BranchNode;
}

/** The step shortcuts act on: the first awaiting a pick, else the current one. */
export function focusStep(run: PipelineRun): string | undefined {
  if (run.status === "completed" || run.status === "cancelled") return undefined;
  const waiting = run.stepOrder.find((id) => run.steps[id]?.status === "awaiting_selection");
  if (waiting) return waiting;
  if (run.currentStep && run.steps[run.currentStep]) return run.currentStep;
  return run.stepOrder.find((id) => run.steps[id]?.status === "running");
}

/** The step a failed run stopped at. */
function failedStep(run: PipelineRun): string | undefined {
  return run.stepOrder.find((id) => run.steps[id]?.status === "failed");
}

function isTyping(target: EventTarget | null): boolean {
  if (!(target instanceof HTMLElement)) return false;
  return target.isContentEditable || ["INPUT", "TEXTAREA", "SELECT"].includes(target.tagName);
}

/** The island. */
export function RunView(props: RunViewProps): JSX.Element {
  const live = useMemo(
    () => new RunLiveState(props.run, { driving: props.driving, self: PAGE_ACTOR }),
    [],
  );
  const client = useMemo<WriteItClient | undefined>(
    () => (typeof document === "undefined" ? undefined : dashboardClient(props)),
    [],
  );
  const failure = useSignal<FailureView | undefined>(undefined);
  const busy = useSignal<string | undefined>(undefined);
  const viewing = useSignal<number | undefined>(undefined);
  const historical = useSignal<PipelineRun | undefined>(undefined);
  const loadingHistory = useSignal(false);
  const runId = props.run.runId;

  useEffect(
    () => (client
      ? followRun(client, live, { runId, since: props.run.version, failure })
      : undefined),
    [],
  );

  const perform = async (label: string, call: () => Promise<RunResult>) => {
    if (!client) return;
    busy.value = label;
    failure.value = undefined;
    try {
      const result = await call();
      live.acceptRun(result.run);
      if (result.driving) live.setDriving(true);
    } catch (error) {
      failure.value = describeFailure(error, label);
      // Overtaken by someone else: show what is there now, so the writer decides on it.
      if (failure.value.code === "stale_action") {
        await client.getRun(runId).then((run) => live.acceptRun(run), () => {});
      }
    } finally {
      busy.value = undefined;
    }
  };

  const onIntent = async (stepId: string, intent: StepIntent) => {
    if (!client) return;
    // What the writer decided on: refused (409) if someone else decided since.
    const basedOn = live.run.value.version;
    switch (intent.action) {
      case "select":
        return await perform(
          `pick a candidate of “${stepId}”`,
          () => client.select(runId, stepId, intent.index, { basedOn }),
        );
      case "merge":
        return await perform(
          `merge candidates of “${stepId}”`,
          () =>
            client.merge(runId, stepId, intent.responseIds, {
              instructions: intent.instructions,
              basedOn,
            }),
        );
      case "edit":
        return await perform(
          `save the edit of “${stepId}”`,
          () => client.edit(runId, stepId, intent.text, { basedOn }),
        );
      case "feedback":
        return await perform(
          `send feedback on “${stepId}”`,
          () => client.feedback(runId, stepId, intent.text, { regenerate: true, basedOn }),
        );
      case "regenerate":
        return await perform(
          `regenerate “${stepId}”`,
          () => client.regenerate(runId, stepId, { basedOn }),
        );
      case "skip":
        return await perform(`skip “${stepId}”`, () => client.skip(runId, stepId, { basedOn }));
      case "rate":
        return await perform(
          `rate a candidate of “${stepId}”`,
          () =>
            client.rate(runId, stepId, intent.responseId, {
              rating: intent.rating,
              note: intent.note,
            }),
        );
      case "rewind":
        return await perform(
          `rewind to “${stepId}”`,
          () => client.rewind(runId, stepId, { basedOn }),
        );
      case "branch": {
        busy.value = "branch";
        failure.value = undefined;
        try {
          const { run } = await client.branch(runId, stepId, { start: true, basedOn });
          globalThis.location.assign(
            `/runs/${encodeURIComponent(run.runId)}?workspace=${
              encodeURIComponent(props.workspace)
            }`,
          );
        } catch (error) {
          failure.value = describeFailure(error, `branch from “${stepId}”`);
          busy.value = undefined;
        }
        return;
      }
    }
  };

  // Whole candidates (prompts included) as the API has them, read once when provenance is opened.
  const fullResponses = useRef(new Map<string, AIResponse>());
  const loadResponse = async (responseId: string): Promise<AIResponse | undefined> => {
    if (!fullResponses.current.has(responseId) && client) {
      const full = await client.getRun(runId);
      for (const step of Object.values(full.steps)) {
        for (const response of step.responses) {
          fullResponses.current.set(response.responseId, response);
        }
      }
    }
    return fullResponses.current.get(responseId);
  };

  const view = async (sequence: number | undefined) => {
    viewing.value = sequence;
    if (sequence === undefined || !client) {
      historical.value = undefined;
      return;
    }
    loadingHistory.value = true;
    try {
      const run = await client.getRun(runId, { at: sequence });
      if (viewing.value === sequence) historical.value = run;
    } catch (error) {
      failure.value = describeFailure(error, `load the run at event ${sequence}`);
    } finally {
      loadingHistory.value = false;
    }
  };

  const liveRun = live.run.value;
  const readOnly = viewing.value !== undefined;
  const run = readOnly && historical.value ? historical.value : liveRun;
  const focus = readOnly ? undefined : focusStep(run);

  useEffect(loadTextMode, []);

  // What a screen reader is told as the run moves: candidates arriving, and the writer's turn.
  const announcement = useSignal("");
  const announce = (text: string) => (announcement.value = text);
  const seen = useRef<{ counts: Record<string, number>; waiting?: string }>({ counts: {} });
  const seenOnce = useRef(false);
  const notify = useSignal(false);
  useEffect(() => {
    notify.value = typeof Notification !== "undefined" &&
      Notification.permission === "granted" &&
      globalThis.localStorage?.getItem("writeit.notify") === "on";
  }, []);
  const toggleNotify = async () => {
    if (notify.value) {
      notify.value = false;
      globalThis.localStorage?.setItem("writeit.notify", "off");
      return;
    }
    const permission = await Notification.requestPermission();
    notify.value = permission === "granted";
    globalThis.localStorage?.setItem("writeit.notify", notify.value ? "on" : "off");
    if (!notify.value) {
      announce("The browser did not allow notifications: allow them for this site to be told");
    }
  };
  useEffect(() => {
    const current = live.run.value;
    const before = seen.current;
    const messages: string[] = [];
    for (const id of current.stepOrder) {
      const count = current.steps[id]?.responses.length ?? 0;
      const earlier = before.counts[id];
      if (earlier !== undefined && count > earlier) {
        const name = props.steps[id]?.name ?? id;
        messages.push(
          count - earlier === 1
            ? `New candidate for ${name} (${count} in all)`
            : `${count - earlier} new candidates for ${name}`,
        );
      }
      before.counts[id] = count;
    }
    const waiting = current.stepOrder.find((id) =>
      current.steps[id]?.status === "awaiting_selection"
    );
    if (waiting && waiting !== before.waiting) {
      const name = props.steps[waiting]?.name ?? waiting;
      messages.push(`Your turn: pick a candidate for ${name}`);
      // Opted in, and the writer is looking elsewhere: a browser notification.
      // (Not for the state the page opened on: only for what happens while it is open.)
      if (notify.value && seenOnce.current) {
        if (document.visibilityState !== "visible" || !document.hasFocus()) {
          const count = current.steps[waiting]?.responses.length ?? 0;
          try {
            new Notification("WriteIt: your turn", {
              body: `${name}: ${count} candidate${count === 1 ? " is" : "s are"} ready`,
              tag: `writeit-${runId}`,
            });
          } catch {
            // Notifications can be unavailable (an insecure origin, a browser without them).
          }
        }
      }
    }
    seenOnce.current = true;
    before.waiting = waiting;
    if (messages.length > 0) announce(messages.join(". "));
  }, [live.run.value]);

  useEffect(() => {
    const onKey = (event: KeyboardEvent) => {
      if (event.ctrlKey || event.metaKey || event.altKey || isTyping(event.target)) return;
      if (readOnly || busy.value || !focus) return;
      const step = live.run.value.steps[focus];
      if (!step) return;
      if (/^[1-9]$/.test(event.key)) {
        const cards = pickableCards(candidateColumns(step, live.streams.value).columns);
        const card = cards[Number(event.key) - 1];
        if (card?.responseIndex === undefined) return;
        event.preventDefault();
        onIntent(focus, { action: "select", index: card.responseIndex });
      } else if (event.key === "f") {
        const field = document.getElementById(`feedback-${focus}`);
        if (!field) return;
        event.preventDefault();
        const details = field.closest("details");
        if (details) details.open = true;
        field.focus();
      } else if (event.key === "r") {
        event.preventDefault();
        const permission = allowedActions(live.run.value, focus).regenerate;
        if (!permission.allowed) {
          // Refused here, with the engine's own reason, before any request.
          const name = props.steps[focus]?.name ?? focus;
          failure.value = {
            title: `Cannot regenerate “${name}” now`,
            detail: permission.why,
            issues: [],
          };
          announce(`Cannot regenerate ${name} now: ${permission.why}`);
          return;
        }
        onIntent(focus, { action: "regenerate" });
      }
    };
    document.addEventListener("keydown", onKey);
    return () => document.removeEventListener("keydown", onKey);
  }, [focus, readOnly]);

  const status = run.status;
  const driving = live.driving.value;
  const act = !readOnly && !busy.value;
  return (
    <div class="run-view" data-run-id={runId} data-version={run.version} data-status={status}>
      <div class="run-header">
        <h1>
          {runTitle(run) ?? run.pipelineId} <span class="small muted">{run.pipelineId}</span>{" "}
          <span class="mono muted" title={runId}>{shortId(runId)}</span>
        </h1>
        <StatusBadge status={status} label="Run status" />
        <ConnectionBadge state={live.connection.value} driving={driving} />
        {typeof Notification !== "undefined" && !readOnly && status !== "completed" &&
            status !== "cancelled"
          ? (
            <button
              type="button"
              class="small"
              aria-pressed={notify.value}
              title="A browser notification when candidates are ready and this tab is not in front"
              onClick={toggleNotify}
            >
              {notify.value ? "Notifying you" : "Notify me"}
            </button>
          )
          : null}
        <span class="text-mode" role="group" aria-label="Show texts as">
          {(["rendered", "markdown"] as const).map((mode) => (
            <button
              key={mode}
              type="button"
              class="small"
              aria-pressed={textMode.value === mode}
              onClick={() => setTextMode(mode)}
            >
              {mode === "rendered" ? "Rendered" : "Markdown"}
            </button>
          ))}
        </span>
      </div>
      <p class="small muted">
        {`${formatTokens(run.usage.totalTokens)} tokens${
          run.usage.estimated ? " (estimated)" : ""
        } · ${formatCost(run.usage.costUsd)} · event ${run.version}`}
        {run.parentRunId
          ? (
            <>
              {" · branch of "}
              <a
                href={`/runs/${encodeURIComponent(run.parentRunId)}?workspace=${
                  encodeURIComponent(props.workspace)
                }`}
              >
                {shortId(run.parentRunId)}
              </a>
              {run.branchPoint ? ` at “${run.branchPoint.stepId}”` : ""}
            </>
          )
          : null}
      </p>
      <RunProgress
        run={run}
        stepNames={Object.fromEntries(
          Object.entries(props.steps).map(([id, info]) => [id, info.name]),
        )}
      />
      <RunControls
        run={run}
        driving={driving}
        disabled={!act}
        onAction={(action) => {
          if (!client) return;
          const calls = {
            start: () => client.startRun(runId),
            pause: () => client.pause(runId),
            resume: () => client.resume(runId),
            cancel: () => client.cancel(runId),
          };
          perform(`${action} the run`, calls[action]);
        }}
        onSwitchModel={client
          ? (model) =>
            perform(
              `continue on ${model}`,
              () => client.resume(runId, { model, basedOn: live.run.value.version }),
            )
          : undefined}
      />
      <p class="sr-only" role="status" aria-live="polite" data-testid="announcer">
        {announcement.value}
      </p>
      {busy.value ? <p class="small muted" role="status">{`Working: ${busy.value}…`}</p> : null}
      {failure.value
        ? <FailureAlert failure={failure.value} onDismiss={() => (failure.value = undefined)} />
        : null}
      {run.error
        ? (
          <div class="alert" role="alert">
            {`Run failed${
              failedStep(run) ? ` at “${failedStep(run)}”` : ""
            }: ${run.error}. Fix the cause and resume, or continue on another model.`}
          </div>
        )
        : null}
      {run.status === "paused" && run.pausedStep
        ? (
          <div class="alert" role="alert">
            {`Run paused: ${
              run.pauseReason ?? `step "${run.pausedStep}" needs a choice`
            }. Pick a candidate at that step, then resume.`}
          </div>
        )
        : null}
      {live.notices.value.length > 0 && !readOnly
        ? (
          <div class="alert info" role="status">
            {live.notices.value.map((message, index) => <p key={index}>{message}</p>)}
          </div>
        )
        : null}
      {readOnly
        ? (
          <div class="alert info" role="status" data-testid="history-banner">
            <p>
              {`You are looking at the run as it was after event ${viewing.value}`}
              {historical.value ? ` (status ${historical.value.status})` : " (loading…)"}
              . Controls are off.{" "}
              <button type="button" onClick={() => view(undefined)}>Back to live</button>
            </p>
          </div>
        )
        : null}
      <ArticleView
        run={run}
        stepNames={Object.fromEntries(
          Object.entries(props.steps).map(([id, info]) => [id, info.name]),
        )}
        readOnly={readOnly}
        busy={busy.value !== undefined}
        open={focus === undefined || run.steps[focus]?.status !== "awaiting_selection"}
        onEdit={(stepId, text) => onIntent(stepId, { action: "edit", text })}
      />
      <section aria-label="Steps">
        {run.stepOrder.map((stepId) => (
          <StepPanel
            key={stepId}
            run={run}
            stepId={stepId}
            name={props.steps[stepId]?.name ?? stepId}
            description={props.steps[stepId]?.description}
            allowFeedback={props.steps[stepId]?.allowFeedback ?? true}
            streams={readOnly ? new Map() : live.streams.value}
            focus={stepId === focus}
            open={stepId === focus || (status === "completed" && stepId === run.stepOrder.at(-1))}
            readOnly={readOnly}
            busy={busy.value !== undefined}
            onIntent={onIntent}
            loadResponse={client ? loadResponse : undefined}
          />
        ))}
      </section>
      <RunTimeline
        events={live.events.value}
        last={live.lastSequence.value}
        viewing={viewing.value}
        loading={loadingHistory.value}
        onView={view}
      />
      <section aria-labelledby="usage-heading">
        <h2 id="usage-heading">Tokens and cost</h2>
        <UsageCharts run={run} />
      </section>
      <CompareView
        run={run}
        related={props.related}
        loadRun={(id) =>
          client ? client.getRun(id) : Promise.reject(new TypeError("No client on the server"))}
      />
      <section class="panel" aria-labelledby="branches-heading" data-testid="branches">
        <h2 id="branches-heading">Branches</h2>
        {branchCount(props.tree) === 1
          ? (
            <p class="muted small">
              No branches yet: “Branch from here” on a step starts one that keeps the steps before
              it.
            </p>
          )
          : null}
        <BranchTree
          root={props.tree}
          currentRunId={runId}
          currentStatus={liveRun.status}
          workspace={props.workspace}
        />
      </section>
      <ExportLinks
        runId={runId}
        workspace={props.workspace}
        download={props.signedIn && client
          ? (format, history) => client.exportRun(runId, { format, history })
          : undefined}
        onFailure={(
          error,
          format,
        ) => (failure.value = describeFailure(error, `export as ${format}`))}
      />
    </div>
  );
}
