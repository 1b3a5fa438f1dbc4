import type { DaemonStatus, StatusPause, StatusStep } from '../../daemon/DaemonStatus.js';
import { formatTable } from './formatTable.js';

const pauseText = (p: StatusPause) => `by ${p.by} at ${p.at}: ${p.reason}`;
const stepText = (s: StatusStep) => `${s.operation} ${s.target}${s.zone ? ` (${s.zone})` : ''}${s.requestedBy ? ` [asked by ${s.requestedBy}]` : ''}: ${s.reason}`;

/** `lifeboat status` for a terminal: who leads, pauses, zones, databases with their replicas, groups, and the plan. */
export function formatStatus(s: DaemonStatus): string {
  const out: string[] = [];
  const leader = s.leader.mode === 'etcd' ? `${s.leader.id ?? 'none'} (etcd${s.leader.self ? ', this daemon' : `; answering: ${s.id}`})` : `${s.id} (lock file)`;
  out.push(
    formatTable([
      ['leader', leader],
      ['mode', s.mode === 'observe' ? 'observe (shadow: nothing is run; see "would do")' : 'act'],
      ['observed', s.observedAt ?? 'not yet'],
      ['paused', s.pauses.all ? `everything, ${pauseText(s.pauses.all)}` : s.pauses.databases.length > 0 ? `only ${s.pauses.databases.map((d) => d.database).join(', ')}` : 'no'],
    ]),
  );
  if (s.zones.length > 0) {
    out.push(formatTable([['ZONE', 'STATE', 'SINCE', 'REASON'], ...s.zones.map((z) => [`${z.provider}/${z.zone}`, z.state, z.since, `${z.reason}${z.shiftedAway ? ` (shifted away: ${z.shiftedAway.join(', ')})` : ''}`])]));
  }
  if (s.databases.length > 0) {
    const rows: string[][] = [['DATABASE', 'PRIMARY', 'ZONE', 'HEALTH', 'FAILOVERS', 'PAUSED']];
    for (const d of s.databases) {
      const health = d.primaryHealth ? `${d.primaryHealth.probe}${d.primaryHealth.writable ? ', writable' : ''}` : 'not listed';
      rows.push([d.database, d.primary ?? '?', d.primaryZone ?? '?', health, String(d.failovers), d.paused ? pauseText(d.paused) : '-']);
      if (d.promotion) rows.push(['', `promoting ${d.promotion.target} (from ${d.promotion.from}, since ${d.promotion.startedAt})`, '', '', '', '']);
      if (d.switchover) rows.push(['', `switchover to ${d.switchover.target ?? 'best replica'}: ${d.switchover.phase}, asked by ${d.switchover.requestedBy}, deadline ${d.switchover.deadline}`, '', '', '', '']);
    }
    out.push(formatTable(rows));
    const replicas = s.databases.flatMap((d) =>
      d.replicas.map((r) => [d.database, r.id, r.zone, r.role, r.replication ?? r.state, r.lagSeconds === null ? '-' : `${r.lagSeconds.toFixed(1)}s`, r.upstream ?? '-']),
    );
    if (replicas.length > 0) out.push(formatTable([['DATABASE', 'REPLICA', 'ZONE', 'ROLE', 'REPLICATION', 'LAG', 'UPSTREAM'], ...replicas]));
  }
  if (s.groups.length > 0) {
    out.push(formatTable([['GROUP', 'WHERE', 'HEALTHY'], ...s.groups.map((g) => [g.group, `${g.provider}/${g.region}`, `${g.healthy}/${g.total} (min ${g.minHealthy})`])]));
  }
  const section = (title: string, lines: readonly string[]) => {
    if (lines.length > 0) out.push(`${title}\n${lines.map((l) => `  ${l}`).join('\n')}\n`);
  };
  section('IN FLIGHT', s.inFlight.map(stepText));
  section('PLANNED (last cycle)', s.plan.map(stepText));
  section('HELD BY A PAUSE (runs on resume)', s.pausedPlan.map(stepText));
  section('WOULD DO (mode observe)', s.wouldDo.map(stepText));
  section('AWAITING APPROVAL (lifeboat approve <database>)', s.awaitingApproval.map((a) => `${a.database}: ${stepText(a)}; until ${a.until}`));
  section('NOTES', s.notes);
  if (s.switchover) section('LAST SWITCHOVER', [`${s.switchover.database}: ${s.switchover.state} (${s.switchover.detail})`]);
  return out.join('\n');
}
