/**
 * Whether a process of this machine still runs: what lets a run lease or a
 * socket folder left by a killed process be taken over or swept.
 *
 * @example
 * ```ts
 * if (!processExists(lease.pid)) takeOver();
 * ```
 */
import process from "node:process";

/** Whether process `pid` exists on this machine (one owned by another user counts). */
export function processExists(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as { code?: string }).code === "EPERM";
  }
}
