/**
 * The family of a run as a nested list: the root run, its branches and
 * theirs, each with its status and the step it branched from; the run being
 * viewed is marked. Rendered inside the run view so the viewed run's status
 * stays live.
 */
import type { JSX } from "preact";
import type { RunSummary } from "../engine/events/event_store.ts";
import { shortId, workspaceHref } from "./format.ts";
import { StatusBadge } from "./status_badge.tsx";

/** A run and its branches. */
export interface BranchNode {
  run: RunSummary;
  children: BranchNode[];
}

/** Props of `BranchTree`. */
export interface BranchTreeProps {
  root: BranchNode;
  currentRunId: string;
  /** The viewed run's status now (the tree was read when the page loaded). */
  currentStatus?: string;
  workspace: string;
}

function Node(
  { node, currentRunId, currentStatus, workspace }: Omit<BranchTreeProps, "root"> & {
    node: BranchNode;
  },
): JSX.Element {
  const here = node.run.runId === currentRunId;
  const status = here && currentStatus ? currentStatus : node.run.status;
  return (
    <li data-branch-run={node.run.runId}>
      <a
        href={workspaceHref(`/runs/${encodeURIComponent(node.run.runId)}`, workspace)}
        class={here ? "here" : undefined}
        aria-current={here ? "page" : undefined}
      >
        <span class="mono" title={node.run.runId}>{shortId(node.run.runId)}</span>
      </a>{" "}
      <StatusBadge status={status} /> {node.run.branchPoint
        ? <span class="small muted">from step “{node.run.branchPoint.stepId}”</span>
        : <span class="small muted">original</span>}
      {node.children.length > 0
        ? (
          <ul>
            {node.children.map((child) => (
              <Node
                node={child}
                currentRunId={currentRunId}
                currentStatus={currentStatus}
                workspace={workspace}
              />
            ))}
          </ul>
        )
        : null}
    </li>
  );
}

/** The tree. */
export function BranchTree({ root, ...rest }: BranchTreeProps): JSX.Element {
  return (
    <ul class="tree" aria-label="Branches of this run">
      <Node node={root} {...rest} />
    </ul>
  );
}

/** Counts the runs in a tree. */
export function branchCount(node: BranchNode): number {
  return 1 + node.children.reduce((sum, child) => sum + branchCount(child), 0);
}
