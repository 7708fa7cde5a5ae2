/**
 * User-facing settings and sessions from the data-model seed (002):
 * UserPreferences change real behaviour (default models per step, default
 * style, auto-save of outputs, streaming buffer size, concurrency, export
 * format, theme, keyboard shortcuts); UserSession tracks what a client is
 * doing. Validation follows the seed's rules.
 */
import { z } from "zod";
import { MAX_CONCURRENT_PIPELINES } from "./concurrency_limits.ts";

/** Export formats WriteIt can write. */
export const ExportFormatSchema = z.enum(["md", "json", "yaml", "html"]);
export type ExportFormat = z.infer<typeof ExportFormatSchema>;

/** Keys the terminal and the browser keep for themselves. */
const RESERVED_SHORTCUTS = new Set(["ctrl+c", "ctrl+z", "ctrl+d", "ctrl+\\"]);

/** Persistent user configuration (seed UserPreferences). */
export const UserPreferencesSchema = z.object({
  /** Preferred model per step id, such as `{ draft: "claude-sonnet-4" }`. */
  defaultModels: z.record(z.string(), z.string().min(1)).default({}),
  /** Style primer attached to runs that name none. */
  stylePrimer: z.string().min(1).optional(),
  /** Save completed runs to the workspace's outputs/ automatically. */
  autoSaveEnabled: z.boolean().default(true),
  /** Characters batched per streamed update to terminals and sockets. */
  streamingBufferSize: z.number().int().positive().default(1),
  keyboardShortcuts: z.record(z.string(), z.string()).default({}).superRefine(
    (shortcuts, context) => {
      for (const [action, key] of Object.entries(shortcuts)) {
        if (RESERVED_SHORTCUTS.has(key.toLowerCase())) {
          context.addIssue({
            code: "custom",
            path: [action],
            message:
              `Shortcut "${key}" for "${action}" conflicts with a system binding: choose another key`,
          });
        }
      }
    },
  ),
  theme: z.enum(["auto", "light", "dark"]).default("auto"),
  /** Runs this process drives at once (the seed allowed 1 to 10; servers need more: up to 256). */
  maxConcurrentPipelines: z.number().int().min(1).max(MAX_CONCURRENT_PIPELINES, {
    message:
      `Runs driven at once must be at most ${MAX_CONCURRENT_PIPELINES}: runs past the limit wait their turn; for more model calls at once raise max_concurrent_calls`,
  }).default(4),
  exportFormat: ExportFormatSchema.default("md"),
});
export type UserPreferences = z.infer<typeof UserPreferencesSchema>;

/** An active client session (seed UserSession). */
export const UserSessionSchema = z.object({
  sessionId: z.string().uuid(),
  userId: z.string().min(1).default("local"),
  activePipelineRunId: z.string().optional(),
  workspacePath: z.string().min(1),
  preferences: UserPreferencesSchema,
  createdAt: z.string(),
  lastActivity: z.string(),
  websocketConnectionId: z.string().min(1).optional(),
});
export type UserSession = z.infer<typeof UserSessionSchema>;

/** Validates a session against a clock: last activity cannot be in the future. */
export function checkSessionClock(session: UserSession, now: Date): string | undefined {
  if (Date.parse(session.lastActivity) > now.getTime()) {
    return `Session "${session.sessionId}" has its last activity in the future (${session.lastActivity}): check the system clock`;
  }
  return undefined;
}
