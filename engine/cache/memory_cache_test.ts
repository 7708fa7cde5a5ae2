import assert from "node:assert/strict";
import { MemoryCache } from "./memory_cache.ts";

Deno.test("MemoryCache.set() evicts the least recently used entry past the entry bound", () => {
  const evicted: string[] = [];
  const cache = new MemoryCache<string>({ maxEntries: 2, onEvict: (key) => evicted.push(key) });
  cache.set("a", "1");
  cache.set("b", "2");
  assert.equal(cache.get("a"), "1"); // a is now the most recent
  cache.set("c", "3");
  assert.deepEqual(evicted, ["b"]);
  assert.deepEqual(cache.keys(), ["a", "c"]);
  assert.equal(cache.get("b"), undefined);
});

Deno.test("MemoryCache.set() evicts by bytes and refuses a value larger than the byte bound", () => {
  const evicted: string[] = [];
  const cache = new MemoryCache<string>({
    maxEntries: 100,
    maxBytes: 10,
    sizeOf: (value) => value.length,
    onEvict: (key) => evicted.push(key),
  });
  cache.set("a", "aaaa");
  cache.set("b", "bbbb");
  assert.equal(cache.bytes, 8);
  cache.set("c", "cccc");
  assert.deepEqual(evicted, ["a"]);
  assert.equal(cache.bytes, 8);
  cache.set("huge", "x".repeat(11));
  assert.equal(cache.has("huge"), false);
  assert.equal(cache.size, 2);
  cache.set("b", "bb"); // replacing updates the byte count
  assert.equal(cache.bytes, 6);
  cache.clear();
  assert.deepEqual({ size: cache.size, bytes: cache.bytes }, { size: 0, bytes: 0 });
});
