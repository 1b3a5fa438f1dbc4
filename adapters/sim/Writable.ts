/** The mutable view of a readonly record, for the world's own bookkeeping of records it hands out read-only. */
export type Writable<T> = { -readonly [K in keyof T]: T[K] };
