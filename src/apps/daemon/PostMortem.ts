import type { DaemonEvent } from './DaemonEvent.js';
import type { ZoneEvidence } from '../../core/health/types.js';
import type { AuditRecord } from './audit/AuditRecord.js';
import { fileNameFromId } from './files/fileNameFromId.js';

/** What a post-mortem report is made of. */
export interface PostMortemInput {
  readonly database: string;
  readonly kind: 'failover' | 'switchover';
  readonly from: string;
  readonly to: string;
  /** Zone of the old primary. */
  readonly zone?: string;
  /** First bad sign (ms), when one was seen. */
  readonly badSince?: number;
  readonly detectedAt?: number;
  readonly plannedAt: number;
  readonly completedAt: number;
  readonly estimatedLossSeconds?: number;
  readonly evidence?: ZoneEvidence;
  readonly reason: string;
  readonly timeline: readonly DaemonEvent[];
  readonly actions: readonly AuditRecord[];
}

const iso = (ms: number) => new Date(ms).toISOString();
const secs = (ms: number) => `${(ms / 1000).toFixed(1)} s`;

/**
 * The post-mortem's file name for `database` completed at `t` (ms): the id is
 * encoded by {@link fileNameFromId}, so an id such as `a/../../x` stays one
 * file inside the reports folder instead of a path out of it.
 */
export function postMortemFileName(database: string, t: number): string {
  return `postmortem-${fileNameFromId(database)}-${iso(t).replace(/[:.]/g, '-')}.md`;
}

/** Renders the Markdown post-mortem written after each completed failover. Pure. */
export function formatPostMortem(p: PostMortemInput): string {
  const lines: string[] = [];
  lines.push(`# Post-mortem: ${p.kind} of ${p.database}`, '');
  lines.push(`- ${p.kind === 'switchover' ? 'Planned switchover' : 'Automatic failover'} from \`${p.from}\`${p.zone ? ` (zone ${p.zone})` : ''} to \`${p.to}\`.`);
  lines.push(`- Completed ${iso(p.completedAt)}.`);
  if (p.badSince !== undefined && p.detectedAt !== undefined) lines.push(`- Detection time: ${secs(p.detectedAt - p.badSince)} (first bad sign ${iso(p.badSince)}, zone declared impaired ${iso(p.detectedAt)}).`);
  else lines.push('- Detection time: n/a (no outage detected: planned or primary-only failure).');
  const start = p.badSince ?? p.plannedAt;
  lines.push(`- Failover time: ${secs(p.completedAt - start)} (from ${p.badSince !== undefined ? 'the first bad sign' : 'the decision'} to the new primary taking writes).`);
  lines.push(
    `- Data loss: ${p.kind === 'switchover' ? 'none (the target had caught up before promotion)' : p.estimatedLossSeconds !== undefined ? `estimated ${p.estimatedLossSeconds.toFixed(1)} s of writes (replica lag when replication stopped)` : 'unknown'}.`,
  );
  lines.push('', '## Why', '', p.reason, '');
  lines.push('## Evidence at decision time', '');
  if (p.evidence) {
    const e = p.evidence;
    lines.push(`- Own probes: ${e.probes.down} of ${e.probes.total} targets down, ${e.probes.failing} failing, ${e.probes.up} up.`);
    lines.push(`- Provider status: ${e.providerStatus}; listing: ${e.listing.stopped} of ${e.listing.total} stopped.`);
    lines.push(`- Replication out of the zone: ${e.replication}.`);
    lines.push(`- Vantage points saying bad: ${e.badVantagePoints.join(', ') || 'none'}.`);
  } else lines.push('- (not recorded)');
  lines.push('', '## Timeline', '', '| time | event | where | detail |', '| --- | --- | --- | --- |');
  for (const e of p.timeline) lines.push(`| ${iso(e.t)} | ${e.kind} | ${[e.provider, e.zone].filter(Boolean).join('/')} | ${e.detail.replace(/\|/g, '\\|')} |`);
  lines.push('', '## Actions', '', '| time | who | what | resource | result | why |', '| --- | --- | --- | --- | --- | --- |');
  for (const a of p.actions) lines.push(`| ${a.time} | ${a.who} | ${a.what} | ${a.where.resource ?? ''} | ${a.result} | ${a.why.replace(/\|/g, '\\|')} |`);
  lines.push('');
  return lines.join('\n');
}
