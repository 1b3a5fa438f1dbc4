/**
 * Limits on what Lifeboat reads, far above what a real game day or config
 * needs, so that a mistake or a hostile file is refused in seconds with a
 * message naming the limit, instead of hanging or eating gigabytes. The
 * README's replay section lists them and why.
 */
export const INPUT_LIMITS = Object.freeze({
  /**
   * Largest scenario, policy or daemon config file. The largest shipped
   * scenario is about 5 KiB; parsing costs about 150 MB of memory per MiB of
   * YAML, so 256 KiB stays well under 200 MB.
   */
  sourceBytes: 256 * 1024,
  /** Largest credentials file an adapter is pointed at (a service-account key is about 2 KiB). */
  credentialsBytes: 64 * 1024,
  /**
   * Largest daemon journal read at start. The daemon writes it itself (the
   * controller's memory and the steps in flight: kilobytes); past this it is
   * not a journal, and reading it would only cost memory.
   */
  journalBytes: 64 * 1024 * 1024,
  /** Deepest nesting of mappings and lists in a file; a scenario needs about 8 levels. */
  nestingDepth: 64,
  /**
   * YAML's `maxAliasCount`: how many times aliases may expand (counting
   * aliases inside aliased nodes), so an alias bomb (a billion laughs) is
   * refused before it is expanded.
   */
  aliasExpansions: 100,
});
