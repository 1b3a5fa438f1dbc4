import { readFileSync } from 'node:fs';
import { basename, dirname } from 'node:path';
import { memoryToJson, type ControllerMemory, type MemoryJson } from '../../../core/controller/ControllerMemory.js';
import type { Step } from '../../../core/controller/Plan.js';
import { writePrivateFile } from '../files/privateFiles.js';
import type { PausesJson } from '../pause/pausesJson.js';

/** A step whose adapter call was started and has not been seen to finish. */
export interface JournaledStep {
  readonly step: Step;
  readonly startedAt: number;
}

/** What the journal file holds. */
export interface JournalState {
  readonly version: 1;
  /** Daemon that wrote it. */
  readonly daemon: string;
  /** The controller's memory as JSON (older journals hold an earlier form; `memoryFromJson` reads both). */
  readonly memory: MemoryJson;
  /** Steps started and not completed, by step key (write-ahead). */
  readonly inFlight: Readonly<Record<string, JournaledStep>>;
  /** Operators' pauses (absent in journals written before they were journaled: nothing paused). */
  readonly pauses?: PausesJson;
}

/**
 * The daemon's crash-safe journal: one JSON file replaced atomically (write
 * a temp file, fsync it, rename it over the old one, fsync the folder), so a
 * crash at any instant leaves either the old or the new state, never a torn
 * one. Writes are synchronous on purpose: the controller calls them right
 * before an adapter call, and the call must not start before its intent is
 * on disk.
 */
export class Journal {
  private inFlight: Record<string, JournaledStep> = {};
  private last = '';
  /** The operators' pauses written with every state (see {@link Journal.setPauses}). */
  private pauses: PausesJson | undefined;

  constructor(
    /** The journal file. */
    readonly file: string,
    private readonly daemon: string,
    /** False when etcd holds the journal (HA mode): the state is then only kept here and handed to the leader term. */
    private readonly disk = true,
  ) {}

  /** The state to persist: `memory` and the steps in flight. */
  state(memory: ControllerMemory): JournalState {
    return { version: 1, daemon: this.daemon, memory: memoryToJson(memory), inFlight: this.inFlight, ...(this.pauses ? { pauses: this.pauses } : {}) };
  }

  /** The pauses every later state holds (call {@link Journal.write} to put them on disk now). */
  setPauses(pauses: PausesJson): void {
    this.pauses = pauses;
  }

  /** Takes over a state read elsewhere (etcd, at a leader handover); `undefined` starts empty. */
  adopt(state: JournalState | undefined): void {
    this.inFlight = { ...(state?.inFlight ?? {}) };
    this.last = '';
  }

  /**
   * Reads the journal left by a previous run; `undefined` when there is none.
   *
   * @throws when the file exists but is not a journal (never silently starts empty over one).
   */
  read(): JournalState | undefined {
    let text: string;
    try {
      text = readFileSync(this.file, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw error;
    }
    const state = JSON.parse(text) as JournalState;
    if (state.version !== 1 || typeof state.memory !== 'object') throw new Error(`${this.file} is not a lifeboat journal`);
    this.inFlight = { ...state.inFlight };
    return state;
  }

  /** Records that a step's call is about to start, with the memory that says so. */
  stepStarted(memory: ControllerMemory, step: Step, now: number): void {
    this.inFlight[step.key] = { step, startedAt: now };
    this.write(memory);
  }

  /** Records that a step's call returned (whatever its outcome). */
  stepFinished(memory: ControllerMemory, step: Step): void {
    delete this.inFlight[step.key];
    this.write(memory);
  }

  /** Steps started and not finished. */
  get pending(): readonly JournaledStep[] {
    return Object.values(this.inFlight);
  }

  /** Drops every unfinished step once the controller's memory accounts for them (after a restore), and writes that. */
  forgetAll(memory: ControllerMemory): void {
    this.inFlight = {};
    this.write(memory);
  }

  /** Writes the state if it changed since the last write. */
  write(memory: ControllerMemory): void {
    if (!this.disk) return;
    const text = JSON.stringify(this.state(memory));
    if (text === this.last) return;
    writePrivateFile(dirname(this.file), basename(this.file), text);
    this.last = text;
  }
}
