// Test-only entry point: `lifeboat daemon ARGS...` exactly as the CLI runs it (the built
// `runDaemonCommand`), with one failpoint injected from here: the process SIGKILLs itself when the
// daemon reaches the point named by LIFEBOAT_TEST_CRASH_AT: `before:<op>` (a mutating call about to
// be sent), `after:<op>` (its answer received, not yet taken in) or `done:<op>` (its result taken in
// and journaled). See killAtEveryStep.test.ts. The production CLI carries no failpoint.
import { runDaemonCommand } from '../../../dist/src/apps/cli/daemonCommands.js';
import { isMutatingOperation } from '../../../dist/src/core/contract/types.js';

const crashAt = process.env['LIFEBOAT_TEST_CRASH_AT'];
if (!crashAt) {
  process.stderr.write('crashingDaemon: set LIFEBOAT_TEST_CRASH_AT to a checkpoint (e.g. after:promoteReplica)\n');
  process.exit(2);
}
const reach = (point) => {
  if (point === crashAt) process.kill(process.pid, 'SIGKILL');
};

/** The provider with the failpoints around its mutating methods. */
function withFailpoints(provider) {
  return new Proxy(provider, {
    get(target, name, receiver) {
      const value = Reflect.get(target, name, receiver);
      if (typeof name !== 'string' || typeof value !== 'function' || !isMutatingOperation(name)) return value;
      return async (...args) => {
        reach(`before:${name}`);
        const settle = (point) => setImmediate(() => reach(point));
        try {
          const answer = await value.apply(target, args);
          reach(`after:${name}`);
          return answer;
        } finally {
          // The daemon takes the result in (and journals it) in the microtasks that follow; then it is done.
          settle(`done:${name}`);
        }
      };
    },
  });
}

process.exitCode = await runDaemonCommand(process.argv.slice(2), { decorateProvider: withFailpoints });
