import { request } from 'node:http';
import { connect } from 'node:net';
import type { Prober, ProbeResult, ProbeTarget } from '../../../core/contract/Prober.js';

/** How {@link EndpointProber} checks a node. */
export type NodeProbe = { readonly type: 'tcp' } | { readonly type: 'http'; readonly path?: string };

/**
 * Probes for real clouds: a TCP connect to each target's `endpoint` (nodes
 * may use an HTTP GET instead). Databases only prove they accept
 * connections: without database credentials a TCP probe cannot tell a
 * writable primary, so `writable` is left unset and the controller relies on
 * the provider's listing for roles.
 */
export class EndpointProber implements Prober {
  constructor(private readonly node: NodeProbe = { type: 'tcp' }) {}

  probe(targets: readonly ProbeTarget[], signal: AbortSignal): Promise<ProbeResult[]> {
    return Promise.all(targets.map((t) => this.probeOne(t, signal)));
  }

  private probeOne(target: ProbeTarget, signal: AbortSignal): Promise<ProbeResult> {
    const match = target.endpoint ? /^(.*):(\d+)$/.exec(target.endpoint) : null;
    if (!match) return Promise.resolve({ ok: false, failure: 'error' });
    const host = match[1]!.replace(/^\[|\]$/g, '');
    const port = Number(match[2]);
    if (signal.aborted) return Promise.resolve({ ok: false, failure: 'timeout' });
    if (target.kind === 'node' && this.node.type === 'http') return httpProbe(host, port, this.node.path ?? '/', signal);
    return new Promise((resolve) => {
      const socket = connect({ host, port });
      const done = (result: ProbeResult) => {
        signal.removeEventListener('abort', onAbort);
        socket.destroy();
        resolve(result);
      };
      const onAbort = () => done({ ok: false, failure: 'timeout' });
      signal.addEventListener('abort', onAbort, { once: true });
      socket.once('connect', () => done({ ok: true }));
      socket.once('error', (error: NodeJS.ErrnoException) => done({ ok: false, failure: error.code === 'ECONNREFUSED' ? 'refused' : 'error' }));
    });
  }
}

function httpProbe(host: string, port: number, path: string, signal: AbortSignal): Promise<ProbeResult> {
  return new Promise((resolve) => {
    const req = request({ host, port, path, method: 'GET', signal }, (res) => {
      res.resume();
      resolve(res.statusCode !== undefined && res.statusCode < 300 ? { ok: true } : { ok: false, failure: 'error' });
    });
    req.once('error', (error: NodeJS.ErrnoException) =>
      resolve({ ok: false, failure: signal.aborted ? 'timeout' : error.code === 'ECONNREFUSED' ? 'refused' : 'error' }),
    );
    req.end();
  });
}
