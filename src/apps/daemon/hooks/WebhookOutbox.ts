import { lstatSync, readdirSync, readFileSync, renameSync } from 'node:fs';
import { join } from 'node:path';
import { fileNameFromId } from '../files/fileNameFromId.js';
import { removePrivateFile, writePrivateFile } from '../files/privateFiles.js';
import { WEBHOOK_EVENT_KINDS, type WebhookEvent } from './WebhookEvent.js';

/** One delivery as it lies in the outbox: to whom, what, and how many attempts it has had (across restarts). */
export interface OutboxEntry {
  /** Its file's name inside the outbox folder. */
  readonly file: string;
  /** Order of queueing: a queue sends its entries by increasing `seq`. */
  readonly seq: number;
  readonly url: string;
  readonly event: WebhookEvent;
  /** Attempts made so far, by this run and the ones before it. */
  readonly attempts: number;
}

/** What one outbox file holds (version 1). */
interface OutboxFileJson {
  readonly version: 1;
  readonly url: string;
  readonly attempts: number;
  readonly event: WebhookEvent;
}

/** An outbox file larger than this is not one the daemon wrote (an entry is a few KiB). */
const MAX_ENTRY_BYTES = 1024 * 1024;
/** `000000000042-<event id>.json`: the sequence first, so names sort in queueing order. */
const ENTRY_NAME = /^(\d{12})-[A-Za-z0-9_%~-]+\.json$/;
const KINDS: ReadonlySet<string> = new Set(WEBHOOK_EVENT_KINDS);

/**
 * The daemon's durable webhook outbox: one small file per pending delivery
 * (per webhook URL and event), written atomically and fsynced (the
 * journal's {@link writePrivateFile}) before the first attempt, rewritten
 * with the attempt count after each failed attempt, and removed, durably,
 * once the delivery ends (delivered, refused, given up, dropped). A daemon
 * that dies with deliveries pending finds them here at its next start.
 *
 * Nothing here throws: a notification must never stop the daemon. A file
 * that cannot be written leaves its delivery in memory only; an entry that
 * cannot be read is logged, naming the file, and moved aside to
 * `<file>.corrupt`. Only one daemon may use a folder (the journal's lock
 * file sees to that without etcd).
 */
export class WebhookOutbox {
  private nextSeq: number | undefined;

  constructor(
    /** The outbox folder (created 0700 on the first write). */
    readonly folder: string,
    private readonly log: (line: string) => void,
  ) {}

  /** Writes a new entry for `event` to `url`; `undefined` (logged) when it cannot be written. */
  add(url: string, event: WebhookEvent): OutboxEntry | undefined {
    const seq = this.takeSeq();
    const entry: OutboxEntry = { file: `${String(seq).padStart(12, '0')}-${fileNameFromId(event.id)}.json`, seq, url, event, attempts: 0 };
    return this.write(entry, 'the delivery is kept in memory only (lost if the daemon dies before it is sent)') ? entry : undefined;
  }

  /** Records the attempts made so far; returns the entry as now written (the old one if the write failed, logged). */
  recordAttempts(entry: OutboxEntry, attempts: number): OutboxEntry {
    const next = { ...entry, attempts };
    return this.write(next, `a restart may repeat up to ${attempts - entry.attempts} attempt(s)`) ? next : entry;
  }

  /** Removes an entry whose delivery ended (logged when it cannot be: the next start would send it again). */
  remove(entry: OutboxEntry | undefined): void {
    if (!entry) return;
    try {
      removePrivateFile(this.folder, entry.file);
    } catch (error) {
      this.log(`webhook outbox: cannot remove ${join(this.folder, entry.file)}: ${describeError(error)}; the next start will send ${entry.event.kind} ${entry.event.id} again`);
    }
  }

  /**
   * The entries a previous run left, in queueing order. Entries that cannot
   * be read are skipped (logged, moved aside); temp files of a write cut
   * short by a crash (the delivery was never queued) are removed.
   */
  load(): OutboxEntry[] {
    let names: string[];
    try {
      names = readdirSync(this.folder);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') this.log(`webhook outbox: cannot read the folder ${this.folder}: ${describeError(error)}; no pending delivery restored`);
      this.nextSeq ??= 1;
      return [];
    }
    const entries: OutboxEntry[] = [];
    let maxSeq = 0;
    for (const name of names.sort()) {
      const seq = ENTRY_NAME.exec(name)?.[1];
      if (seq !== undefined) maxSeq = Math.max(maxSeq, Number(seq));
      if (name.startsWith('.') && name.endsWith('.tmp')) {
        this.discardTemp(name);
        continue;
      }
      if (name.endsWith('.corrupt')) continue;
      const path = join(this.folder, name);
      const problem = seq === undefined ? 'not an outbox entry name (<12-digit sequence>-<event id>.json)' : undefined;
      const read = problem === undefined ? this.readEntry(name, Number(seq)) : { problem };
      if ('entry' in read) entries.push(read.entry);
      else this.setAside(path, read.problem);
    }
    this.nextSeq = Math.max(this.nextSeq ?? 1, maxSeq + 1);
    return entries;
  }

  private readEntry(name: string, seq: number): { entry: OutboxEntry } | { problem: string } {
    const path = join(this.folder, name);
    let text: string;
    try {
      const stat = lstatSync(path);
      if (!stat.isFile()) return { problem: 'not a regular file' };
      if (stat.size > MAX_ENTRY_BYTES) return { problem: `${stat.size} bytes, more than an entry ever holds (${MAX_ENTRY_BYTES})` };
      text = readFileSync(path, 'utf8');
    } catch (error) {
      return { problem: `cannot read it: ${describeError(error)}` };
    }
    let json: Partial<OutboxFileJson>;
    try {
      json = JSON.parse(text) as Partial<OutboxFileJson>;
    } catch (error) {
      return { problem: `not JSON (truncated or damaged?): ${(error as Error).message}` };
    }
    const event = json?.event as Partial<WebhookEvent> | undefined;
    if (typeof json !== 'object' || json === null || json.version !== 1) return { problem: 'expected {"version": 1, ...}' };
    if (typeof json.url !== 'string' || !/^https?:\/\//.test(json.url)) return { problem: 'url: expected an http(s) URL' };
    if (!Number.isInteger(json.attempts) || json.attempts! < 0) return { problem: 'attempts: expected a whole number, 0 or more' };
    if (typeof event !== 'object' || event === null) return { problem: 'event: expected the webhook payload' };
    for (const key of ['id', 'time', 'daemon', 'detail'] as const) if (typeof event[key] !== 'string') return { problem: `event.${key}: expected a string` };
    if (!KINDS.has(event.kind as string)) return { problem: `event.kind: unknown kind ${JSON.stringify(event.kind)}` };
    return { entry: { file: name, seq, url: json.url, event: event as WebhookEvent, attempts: json.attempts! } };
  }

  private write(entry: OutboxEntry, otherwise: string): boolean {
    const json: OutboxFileJson = { version: 1, url: entry.url, attempts: entry.attempts, event: entry.event };
    try {
      writePrivateFile(this.folder, entry.file, JSON.stringify(json));
      return true;
    } catch (error) {
      this.log(`webhook outbox: cannot write ${join(this.folder, entry.file)}: ${describeError(error)}; ${otherwise}`);
      return false;
    }
  }

  private setAside(path: string, problem: string): void {
    try {
      renameSync(path, `${path}.corrupt`);
      this.log(`webhook outbox: skipped ${path}: ${problem}; moved aside to ${path}.corrupt`);
    } catch (error) {
      this.log(`webhook outbox: skipped ${path}: ${problem} (cannot move it aside: ${describeError(error)})`);
    }
  }

  private discardTemp(name: string): void {
    try {
      removePrivateFile(this.folder, name);
    } catch (error) {
      this.log(`webhook outbox: cannot remove ${join(this.folder, name)}, a write cut short by a crash: ${describeError(error)}`);
    }
  }

  private takeSeq(): number {
    if (this.nextSeq === undefined) {
      // Not loaded yet: continue after the entries on disk, without taking them in.
      let names: string[] = [];
      try {
        names = readdirSync(this.folder);
      } catch {
        // No folder yet: the first entry creates it.
      }
      this.nextSeq = 1 + Math.max(0, ...names.map((n) => Number(ENTRY_NAME.exec(n)?.[1] ?? 0)));
    }
    return this.nextSeq++;
  }
}

function describeError(error: unknown): string {
  return (error as NodeJS.ErrnoException).code ?? (error as Error).message;
}
