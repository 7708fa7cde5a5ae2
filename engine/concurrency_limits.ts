/**
 * Bounds of the concurrency settings. The seed capped the runs one process
 * drives at 10, which suits a laptop but not a server driving hundreds of
 * runs that mostly wait on models; the cap is 256, and runs past the
 * configured number wait their turn. Model calls have their own, higher cap
 * (`preferences.max_concurrent_calls`).
 */

/** Most runs one process may be configured to drive at once. */
export const MAX_CONCURRENT_PIPELINES = 256;
