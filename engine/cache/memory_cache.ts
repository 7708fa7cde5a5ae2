/**
 * An in-process LRU map bounded both by entry count and by total bytes (as
 * measured by `sizeOf`). Reading an entry makes it the most recent; adding
 * one past either bound evicts the least recent, reporting each eviction.
 * A single value larger than the byte bound is not kept at all.
 *
 * @example
 * ```ts
 * const cache = new MemoryCache<string>({ maxEntries: 2, maxBytes: 1024, sizeOf: (value) => value.length * 2 });
 * ```
 */

/** Options for `MemoryCache`. */
export interface MemoryCacheOptions<V> {
  /** Most entries (default 1000). */
  maxEntries?: number;
  /** Most bytes over all values (default 64 MiB). */
  maxBytes?: number;
  /** Bytes a value takes (default: 2 per character of its JSON). */
  sizeOf?: (value: V) => number;
  /** Told about each entry pushed out by the bounds. */
  onEvict?: (key: string, value: V) => void;
}

/** A bounded least-recently-used cache. */
export class MemoryCache<V> {
  readonly maxEntries: number;
  readonly maxBytes: number;
  readonly #sizeOf: (value: V) => number;
  readonly #onEvict?: (key: string, value: V) => void;
  readonly #entries = new Map<string, { value: V; bytes: number }>();
  #bytes = 0;

  constructor(options: MemoryCacheOptions<V> = {}) {
    this.maxEntries = options.maxEntries ?? 1000;
    this.maxBytes = options.maxBytes ?? 64 * 1024 * 1024;
    this.#sizeOf = options.sizeOf ?? ((value) => JSON.stringify(value).length * 2);
    this.#onEvict = options.onEvict;
  }

  /** Entries held. */
  get size(): number {
    return this.#entries.size;
  }

  /** Bytes held. */
  get bytes(): number {
    return this.#bytes;
  }

  /** The value, made most recent; undefined when absent. */
  get(key: string): V | undefined {
    const entry = this.#entries.get(key);
    if (!entry) return undefined;
    this.#entries.delete(key);
    this.#entries.set(key, entry);
    return entry.value;
  }

  /** Whether `key` is held (does not change recency). */
  has(key: string): boolean {
    return this.#entries.has(key);
  }

  /** Adds or replaces a value, then evicts the least recent entries past the bounds. */
  set(key: string, value: V): void {
    this.delete(key);
    const bytes = this.#sizeOf(value);
    if (bytes > this.maxBytes || this.maxEntries <= 0) return;
    this.#entries.set(key, { value, bytes });
    this.#bytes += bytes;
    while (this.#entries.size > this.maxEntries || this.#bytes > this.maxBytes) {
      const [oldestKey, oldest] = this.#entries.entries().next().value!;
      this.#entries.delete(oldestKey);
      this.#bytes -= oldest.bytes;
      this.#onEvict?.(oldestKey, oldest.value);
    }
  }

  /** Removes `key`; true when it was held. */
  delete(key: string): boolean {
    const entry = this.#entries.get(key);
    if (!entry) return false;
    this.#entries.delete(key);
    this.#bytes -= entry.bytes;
    return true;
  }

  /** Removes every entry (not counted as evictions). */
  clear(): void {
    this.#entries.clear();
    this.#bytes = 0;
  }

  /** Keys from least to most recent. */
  keys(): string[] {
    return [...this.#entries.keys()];
  }
}
