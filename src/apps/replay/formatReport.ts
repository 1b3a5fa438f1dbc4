import { formatSeconds } from '../../core/util/duration.js';
import type { ReplayReport } from './ReplayReport.js';

/** Timeline kinds shown as "notable" in human output. */
const NOTABLE = /^(world\.|zone\.(impaired|recovered)|failover\.|node\.replaced)/;

/** Human-readable replay output: notable events with virtual time, then the summary and each expectation. */
export function formatReport(report: ReplayReport, options: { quiet?: boolean } = {}): string {
  const lines: string[] = [];
  lines.push(`== ${report.scenario} (${report.file}, ${formatSeconds(report.virtualSeconds)} virtual, seed ${report.seed}${report.wire ? ', over the wire' : ''})`);
  if (!options.quiet) {
    for (const entry of report.timeline) {
      if (!NOTABLE.test(entry.kind)) continue;
      const where = [entry.provider, entry.zone ?? entry.region, entry.database, entry.group].filter(Boolean).join(' ');
      lines.push(`  [${formatSeconds(entry.t).padStart(7)}] ${entry.kind.padEnd(20)} ${where ? `${where}: ` : ''}${entry.detail}`);
    }
    const failed = report.actions.filter((a) => a.result !== 'ok').length;
    lines.push(`  ${report.actions.length} mutating call(s)${failed > 0 ? `, ${failed} not ok` : ''}`);
    for (const h of report.held ?? []) {
      lines.push(`  [${formatSeconds(h.t).padStart(7)}] ${(h.why === 'observe' ? 'would do' : `held (${h.why})`).padEnd(20)} ${h.operation} ${h.target}${h.zone ? ` (${h.zone})` : ''}: ${h.reason}`);
    }
  }
  const m = report.metrics;
  const secs = (v: number | null) => (v === null ? 'n/a' : formatSeconds(v));
  lines.push(
    `  detection ${secs(m.detectionSeconds)}, failover ${secs(m.failoverSeconds)}, data lost ${secs(m.dataLossSeconds)}` +
      `${m.dataLossWrites !== null ? ` (${m.dataLossWrites} writes)` : ''}, failovers ${m.failovers}, mutating calls ${m.mutatingCalls}` +
      `${m.splitBrainSeconds > 0 ? `, split brain ${formatSeconds(m.splitBrainSeconds)}` : ''}`,
  );
  const traffic = [
    m.writeUnavailableSeconds !== null ? `writes unavailable ${formatSeconds(m.writeUnavailableSeconds)} (worst incident)` : undefined,
    m.requestErrorSeconds !== null ? `request errors ${formatSeconds(m.requestErrorSeconds)}` : undefined,
    m.divergedWrites > 0 ? `diverged writes ${m.divergedWrites}` : undefined,
  ].filter((part) => part !== undefined);
  if (traffic.length > 0) lines.push(`  ${traffic.join(', ')}`);
  for (const e of report.expectations) {
    lines.push(`  ${e.passed ? 'PASS' : 'FAIL'} ${e.kind}: ${e.detail}`);
  }
  lines.push(`  ${report.passed ? 'PASSED' : 'FAILED'}`);
  return lines.join('\n');
}
