import { eventStoreContract } from "../../tests/contracts/backend_contract.ts";
import { MemoryEventStore } from "../../engine/events/memory_event_store.ts";

eventStoreContract("MemoryEventStore", (context) => {
  const store = new MemoryEventStore({ context });
  return Promise.resolve({
    store,
    importEvents: (runId, events) => store.importEvents(runId, events),
    cleanup: () => store.close(),
  });
});
