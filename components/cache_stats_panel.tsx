/**
 * The workspace's response cache at a glance: hit rate, hits and misses,
 * entries and size, tokens and dollars saved; or a line saying the cache is
 * off.
 */
import type { JSX } from "preact";
import type { CacheStatsReport } from "../server/workspace_hub.ts";
import { formatCost, formatPercent, formatTokens } from "../islands/format.ts";

/** Props of `CacheStatsPanel`. */
export interface CacheStatsPanelProps {
  stats: CacheStatsReport | undefined;
}

function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KiB`;
  return `${(bytes / 1024 / 1024).toFixed(1)} MiB`;
}

/** The panel. */
export function CacheStatsPanel({ stats }: CacheStatsPanelProps): JSX.Element {
  if (!stats) return <p class="muted">The response cache is disabled in this workspace.</p>;
  const rows: [string, string][] = [
    ["Hit rate", formatPercent(stats.hitRate)],
    ["Hits", formatTokens(stats.hits)],
    ["Misses", formatTokens(stats.misses)],
    ["Entries", formatTokens(stats.entries)],
    ["Size", formatBytes(stats.bytes)],
    ["Tokens saved", formatTokens(stats.tokensSaved)],
    ["Cost saved", formatCost(stats.costSavedUsd)],
  ];
  return (
    <dl class="stats" aria-label="Cache statistics">
      {rows.map(([term, value]) => (
        <div>
          <dt>{term}</dt>
          <dd>{value}</dd>
        </div>
      ))}
    </dl>
  );
}
