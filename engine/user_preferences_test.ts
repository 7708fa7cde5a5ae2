import assert from "node:assert/strict";
import { checkSessionClock, UserPreferencesSchema, UserSessionSchema } from "./user_preferences.ts";

Deno.test("UserPreferencesSchema keeps max concurrent pipelines between 1 and 256, for servers", () => {
  assert.equal(UserPreferencesSchema.safeParse({ maxConcurrentPipelines: 0 }).success, false);
  const tooMany = UserPreferencesSchema.safeParse({ maxConcurrentPipelines: 257 });
  assert.equal(tooMany.success, false);
  assert.match(tooMany.error!.issues[0].message, /at most 256: runs past the limit wait/);
  assert.equal(
    UserPreferencesSchema.parse({ maxConcurrentPipelines: 256 }).maxConcurrentPipelines,
    256,
  );
});

Deno.test("UserPreferencesSchema rejects a shortcut that shadows a system binding", () => {
  const result = UserPreferencesSchema.safeParse({ keyboardShortcuts: { quit: "Ctrl+C" } });
  assert.equal(result.success, false);
  assert.match(result.error!.issues[0].message, /conflicts with a system binding/);
});

Deno.test("UserPreferencesSchema rejects an unsupported export format and a zero buffer", () => {
  assert.equal(UserPreferencesSchema.safeParse({ exportFormat: "docx" }).success, false);
  assert.equal(UserPreferencesSchema.safeParse({ streamingBufferSize: 0 }).success, false);
});

Deno.test("checkSessionClock() flags last activity in the future", () => {
  const session = UserSessionSchema.parse({
    sessionId: "6f1c1f0e-1f57-4a39-8d7b-0c2a3f6e9b10",
    workspacePath: "/tmp/ws",
    preferences: {},
    createdAt: "2026-01-01T00:00:00Z",
    lastActivity: "2026-01-02T00:00:00Z",
  });
  assert.match(checkSessionClock(session, new Date("2026-01-01T12:00:00Z"))!, /in the future/);
  assert.equal(checkSessionClock(session, new Date("2026-01-03T00:00:00Z")), undefined);
});
