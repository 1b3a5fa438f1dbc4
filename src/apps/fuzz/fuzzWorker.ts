/**
 * Worker thread of `lifeboat fuzz --workers N`: runs the scenarios the
 * parent hands it one at a time (`{ index }` messages) and answers each
 * with `{ index, finding }`. Started by `runFuzz` (which terminates it);
 * not an entry point of its own.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { fuzzOne, type FuzzOneOptions } from './fuzzOne.js';

const { seed, options } = workerData as { seed: number; options: FuzzOneOptions };
const port = parentPort!;
port.on('message', (message: { index: number }) => {
  fuzzOne(seed, message.index, options).then(
    (finding) => port.postMessage({ index: message.index, finding }),
    (error: unknown) => port.postMessage({ index: message.index, error: error instanceof Error ? (error.stack ?? error.message) : String(error) }),
  );
});
