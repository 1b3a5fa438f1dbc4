import type { DrillProgress, FailoverDrillReport } from './runFailoverDrill.js';

/** One live line for a progress event (set-up, the fault, controller events); `undefined` for the rest. */
export function formatProgress(progress: DrillProgress): string | undefined {
  if (progress.kind === 'check' || progress.kind === 'client') return undefined;
  const when = progress.t === undefined ? '' : `${progress.t.toFixed(1).padStart(6)} s`;
  return `${when.padEnd(9)} ${progress.message}`;
}

/** The summary of a drill: verdict, then one line per figure. */
export function formatDrillReport(report: FailoverDrillReport): string {
  const s = (seconds: number | null) => (seconds === null ? '   n/a' : `${seconds.toFixed(1).padStart(5)} s`);
  const lines = [
    report.passed ? 'PASS' : `FAIL: ${report.problems.join('; ')}`,
    `  detection             ${s(report.detectionSeconds)}  fault -> controller declared ${report.zone} impaired or planned the failover`,
    `  promotion             ${s(report.promotionSeconds)}  decision -> promoteReplica${report.newPrimary ? ` ${report.newPrimary}` : ''} returned`,
    `  failover confirmed    ${s(report.failoverSeconds)}  fault -> controller saw the new primary take writes`,
    `  endpoint followed     ${s(report.endpoint.followSeconds)}  fault -> ${report.endpoint.name} served the new primary`,
    `  write unavailability  ${s(report.unavailableSeconds)}  last write acknowledged before the fault -> first after it`,
    `  client path           ${report.endpoint.clientPath} (${report.endpoint.clientConnections} connection(s))`,
    ...(report.endpoint.hint === undefined ? [] : [`  router                built-in forwarder: HAProxy was not found; ${report.endpoint.hint}`]),
    `  acknowledged writes   ${report.acknowledgedWrites}, lost ${report.lostWrites}${report.lostWrites > 0 ? ` (seq ${report.lostSequences.join(', ')}${report.lostWrites > report.lostSequences.length ? ', ...' : ''})` : ''} (read back from ${report.newPrimary ?? 'the old primary'})`,
    `  writable primaries    ${primaries(report)}`,
    `  old primary           ${report.oldPrimary}: ${oldPrimary(report)}`,
    `  actions               ${report.actions.length === 0 ? 'none' : report.actions.map((a) => `${a.operation} ${a.target}${a.result === 'ok' ? '' : ` (${a.result})`}`).join(', ')}`,
  ];
  return lines.join('\n');
}

function primaries(report: FailoverDrillReport): string {
  const list = (ids: readonly string[]) => (ids.length === 0 ? 'none' : ids.join(' + '));
  const during = `zone down: ${list(report.writablePrimaries)}`;
  const after = report.writablePrimariesAfterHeal === null ? '' : `; zone back: ${list(report.writablePrimariesAfterHeal)}`;
  return `${report.exactlyOneWritablePrimary ? 'exactly one' : 'NOT exactly one'} (${during}${after})`;
}

function oldPrimary(report: FailoverDrillReport): string {
  if (report.oldPrimaryFenced) return 'fenced by the controller (stopDatabase)';
  const last = (report.checks.afterHeal ?? report.checks.outage).find((c) => c.instance === report.oldPrimary)?.state;
  switch (last) {
    case 'down':
      return `down (${report.oldPrimaryListed}), takes no writes`;
    case 'not-committing':
      return 'not fenced; takes no writes (its commits wait for a standby that no longer follows it)';
    case 'unreachable':
      return 'unreachable, not fenced yet (the controller fences it once it answers)';
    case 'writable':
      return 'WRITABLE, not fenced';
    default:
      return `${last ?? 'unknown'} (${report.oldPrimaryListed})`;
  }
}
