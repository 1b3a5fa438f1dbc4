import type { ControllerEvent } from '../../core/controller/ControllerEvent.js';
import type { DaemonEvent } from './DaemonEvent.js';
import type { PromoteStep } from '../../core/controller/Plan.js';
import type { Snapshot } from '../../core/controller/Snapshot.js';
import { zoneKey } from '../../core/contract/keys.js';
import type { AuditLog } from './audit/AuditLog.js';
import type { AuditRecord } from './audit/AuditRecord.js';
import type { DaemonMetrics } from './DaemonMetrics.js';
import type { EventRing } from './EventRing.js';
import { writePrivateFile } from './files/privateFiles.js';
import { formatPostMortem, postMortemFileName, type PostMortemInput } from './PostMortem.js';

/** What is known of a failover or switchover before it completes: a post-mortem's input but for its end. */
type FailoverRecord = Omit<PostMortemInput, 'database' | 'completedAt' | 'timeline' | 'actions'>;

/** Where {@link FailoverReports} writes and records. */
export interface FailoverReportsOptions {
  readonly metrics: DaemonMetrics;
  readonly events: EventRing<DaemonEvent>;
  readonly audit: AuditLog;
  /** Folder of the Markdown post-mortems. */
  readonly folder: string;
  /** Appends one audit record (the daemon fills in time and who). */
  readonly record: (entry: Omit<AuditRecord, 'time' | 'who'>) => void;
  readonly log: (line: string) => void;
}

/**
 * Follows each failover and switchover from the first bad sign in its zone
 * to its completion: detection and failover time metrics, and a Markdown
 * post-mortem (timeline, evidence, actions) written when it completes.
 */
export class FailoverReports {
  private readonly badSince = new Map<string, number>();
  private readonly detectedAt = new Map<string, number>();
  private readonly failovers = new Map<string, FailoverRecord>();

  constructor(private readonly options: FailoverReportsOptions) {}

  /** Takes in one controller event; `snapshot` is the controller's latest picture. */
  onEvent(event: ControllerEvent, snapshot: Snapshot | undefined): void {
    const zk = event.provider && event.zone ? zoneKey(event.provider, event.zone) : undefined;
    switch (event.kind) {
      case 'zone.impaired':
        if (zk) {
          const since = this.badSince.get(zk) ?? event.t;
          this.detectedAt.set(zk, event.t);
          this.options.metrics.detectionSeconds.observe((event.t - since) / 1000);
        }
        break;
      case 'failover.planned': {
        const step = event.step as PromoteStep;
        if (this.failovers.has(step.cluster)) break;
        const old = snapshot?.databases.find((v) => v.instance.id === step.from && v.instance.cluster === step.cluster)?.instance;
        const ok = old ? zoneKey(old.provider, old.zone) : undefined;
        const planned = step.requestedBy !== undefined;
        const badSince = ok && !planned ? this.badSince.get(ok) : undefined;
        const detectedAt = ok && !planned ? this.detectedAt.get(ok) : undefined;
        const evidence = ok ? snapshot?.zones.get(ok)?.evidence : undefined;
        this.failovers.set(step.cluster, {
          kind: planned ? 'switchover' : 'failover',
          from: step.from,
          to: step.target,
          ...(old ? { zone: old.zone } : {}),
          ...(badSince !== undefined ? { badSince } : {}),
          ...(detectedAt !== undefined ? { detectedAt } : {}),
          plannedAt: event.t,
          estimatedLossSeconds: step.estimatedLossSeconds,
          ...(evidence ? { evidence } : {}),
          reason: step.reason,
        });
        break;
      }
      case 'failover.failed':
        if (event.database) this.failovers.delete(event.database);
        break;
      case 'failover.completed':
        if (event.database) this.completed(event.database, event.t);
        break;
      default:
        break;
    }
  }

  /** After each cycle: when each zone first looked bad, and forgetting zones that are healthy again. */
  afterCycle(snapshot: Snapshot): void {
    for (const [key, z] of snapshot.zones) {
      const bad = z.state !== 'healthy' || z.evidence.probes.failing > 0 || z.evidence.probes.down > 0 || z.evidence.badVantagePoints.length > 0;
      if (bad && !this.badSince.has(key)) this.badSince.set(key, snapshot.now);
      if (!bad && z.state === 'healthy') {
        this.badSince.delete(key);
        this.detectedAt.delete(key);
      }
    }
  }

  private completed(database: string, t: number): void {
    const record = this.failovers.get(database);
    this.failovers.delete(database);
    const kind = record?.kind ?? 'failover';
    this.options.metrics.failovers.inc({ database, kind });
    const start = record?.badSince ?? record?.plannedAt;
    if (start !== undefined) this.options.metrics.failoverSeconds.observe((t - start) / 1000);
    if (!record) return;
    const from = (record.badSince ?? record.plannedAt) - 60_000;
    const timeline = this.options.events.toArray().filter((e) => e.t >= from);
    const actions = this.options.audit.records.filter((a) => Date.parse(a.time) >= from && (a.database === database || a.database === undefined));
    const text = formatPostMortem({ database, ...record, completedAt: t, timeline, actions });
    try {
      const file = writePrivateFile(this.options.folder, postMortemFileName(database, t), text);
      this.options.record({ what: 'report', why: `post-mortem of the ${kind} of ${database}`, result: 'ok', where: { resource: file }, database });
    } catch (error) {
      this.options.log(`cannot write the post-mortem: ${(error as Error).message}`);
    }
  }
}
