// Test-only entry point: `lifeboat daemon ARGS...` exactly as the CLI runs it (the built
// `runDaemonCommand`), plus one failpoint: the process SIGKILLs itself when the daemon reaches
// the checkpoint named by LIFEBOAT_TEST_CRASH_AT (`before:<op>`, `after:<op>`, `done:<op>`; see
// killAtEveryStep.test.ts). The production CLI reads no such variable.
import { runDaemonCommand } from '../../../dist/src/apps/cli/daemonCommands.js';

const crashAt = process.env['LIFEBOAT_TEST_CRASH_AT'];
if (!crashAt) {
  process.stderr.write('crashingDaemon: set LIFEBOAT_TEST_CRASH_AT to a checkpoint (e.g. after:promoteReplica)\n');
  process.exit(2);
}
process.exitCode = await runDaemonCommand(process.argv.slice(2), {
  checkpoint: (point) => {
    if (point === crashAt) process.kill(process.pid, 'SIGKILL');
  },
});
