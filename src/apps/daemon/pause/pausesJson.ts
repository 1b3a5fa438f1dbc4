import type { OperatorPauses, Pause } from '../../../core/controller/OperatorPauses.js';

/** The plain JSON form of {@link OperatorPauses} (what the journal holds). */
export interface PausesJson {
  readonly all?: Pause;
  readonly databases: readonly [string, Pause][];
}

/** {@link OperatorPauses} as plain JSON. */
export function pausesToJson(pauses: OperatorPauses): PausesJson {
  return { ...(pauses.all ? { all: pauses.all } : {}), databases: [...pauses.databases] };
}

/**
 * Pauses from their JSON form; anything that is not a pause record is
 * refused rather than read as "not paused".
 *
 * @throws when `json` is not in that form.
 */
export function pausesFromJson(json: unknown): OperatorPauses {
  if (typeof json !== 'object' || json === null) throw new Error('pauses: expected an object');
  const value = json as Record<string, unknown>;
  const databases = value['databases'] ?? [];
  if (!Array.isArray(databases)) throw new Error('pauses.databases: expected a list of [database, pause]');
  return {
    ...(value['all'] !== undefined ? { all: pauseFromJson(value['all'], 'pauses.all') } : {}),
    databases: new Map(
      databases.map((entry: unknown, i): [string, Pause] => {
        if (!Array.isArray(entry) || typeof entry[0] !== 'string') throw new Error(`pauses.databases[${i}]: expected [database, pause]`);
        return [entry[0], pauseFromJson(entry[1], `pauses.databases[${i}]`)];
      }),
    ),
  };
}

/** One pause record, checked. @throws when it is not one. */
export function pauseFromJson(json: unknown, where: string): Pause {
  const value = json as Partial<Record<keyof Pause, unknown>> | null;
  if (typeof value !== 'object' || value === null || typeof value.by !== 'string' || typeof value.at !== 'number' || typeof value.reason !== 'string') {
    throw new Error(`${where}: expected {by, at, reason}`);
  }
  return { by: value.by, at: value.at, reason: value.reason };
}
