/**
 * The backend factory contract against every adapter: LMDB in a temporary
 * WriteIt home, and memory.
 */
import { runFold } from "../engine/run_evolve.ts";
import { fixedContext } from "../engine/context.ts";
import { lmdbBackendFactory, Workspaces } from "../storage/lmdb/mod.ts";
import { memoryBackendFactory } from "../storage/memory/mod.ts";
import { backendFactoryContract } from "./contracts/backend_factory_contract.ts";

backendFactoryContract("LMDB backend", async () => {
  const home = await Deno.makeTempDir({ prefix: "writeit-backend-" });
  new Workspaces(home).init();
  return {
    factory: lmdbBackendFactory({ home, fold: runFold }),
    [Symbol.asyncDispose]: () => Deno.remove(home, { recursive: true }),
  };
});

backendFactoryContract("Memory backend", () =>
  Promise.resolve({
    factory: memoryBackendFactory({ context: fixedContext() }),
    [Symbol.asyncDispose]: () => Promise.resolve(),
  }));
