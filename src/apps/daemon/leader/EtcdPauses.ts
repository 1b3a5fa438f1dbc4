import type { Etcd3 } from 'etcd3';
import type { OperatorPauses, Pause } from '../../../core/controller/OperatorPauses.js';
import { pauseFromJson } from '../pause/pausesJson.js';

/**
 * Operators' pauses in etcd, where every daemon of the deployment reads and
 * writes them: `<prefix>/pause/all` and `<prefix>/pause/db/<database>`, one
 * key per pause, so two operators pausing two databases at once never
 * overwrite each other. Any daemon writes them (a follower's `POST /pause`
 * included: no fencing token, a pause is an operator's word, not a leader's
 * action); the leader reads them before every cycle, so a pause survives a
 * restart or a leader change, and resume on any daemon lifts it.
 */
export class EtcdPauses {
  private readonly root: string;

  constructor(
    private readonly client: Etcd3,
    prefix: string,
    /** The gRPC deadline of one call. */
    private readonly deadline: () => { deadline: Date },
  ) {
    this.root = `${prefix}/pause/`;
  }

  /** Every pause in etcd. @throws when etcd cannot be read, or a key holds something that is not a pause. */
  async read(): Promise<OperatorPauses> {
    const values = await this.client.getAll().prefix(this.root).options(this.deadline()).strings();
    let all: Pause | undefined;
    const databases = new Map<string, Pause>();
    for (const [key, text] of Object.entries(values)) {
      const name = key.slice(this.root.length);
      const pause = pauseFromJson(JSON.parse(text), key);
      if (name === 'all') all = pause;
      else if (name.startsWith('db/')) databases.set(name.slice(3), pause);
    }
    return { ...(all ? { all } : {}), databases };
  }

  /** Records a pause of everything (`database` undefined) or of one database. @throws when etcd does not take it. */
  async put(database: string | undefined, pause: Pause): Promise<void> {
    await this.client.put(this.key(database)).value(JSON.stringify(pause)).options(this.deadline());
  }

  /** Lifts it. @throws when etcd does not take it. */
  async delete(database: string | undefined): Promise<void> {
    await this.client.delete().key(this.key(database)).options(this.deadline());
  }

  private key(database: string | undefined): string {
    return database === undefined ? `${this.root}all` : `${this.root}db/${database}`;
  }
}
