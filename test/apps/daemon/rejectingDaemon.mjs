// Test-only entry point: `lifeboat daemon ARGS...` exactly as the CLI runs it (the built
// `runDaemonCommand`), plus one planted fault: a promise that rejects with nobody waiting for it,
// as a client library's internal promise did when a GCP credentials file was missing
// (providerFailures.test.ts). It is planted on SIGUSR2, which the test sends once the daemon
// listens. The production CLI plants nothing.
import { runDaemonCommand } from '../../../dist/src/apps/cli/daemonCommands.js';

process.on('SIGUSR2', () => {
  void Promise.reject(new Error('planted rejection from inside a library (Authorization: Bearer ya29.planted-secret-token)'));
});
process.exitCode = await runDaemonCommand(process.argv.slice(2));
