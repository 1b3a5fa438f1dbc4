import http from 'node:http';

/** Outcome of one `GET /health`. */
export type HealthAnswer = 'ok' | 'refused' | 'error' | 'timeout';

/**
 * One `GET /health` on a fresh connection (no agent: a pooled keep-alive
 * socket to a process frozen since would only linger). `ok` for a 2xx
 * answer; with `expectId`, only when the JSON body names that id, so a
 * stranger holding the port is not taken for our node. Never rejects.
 */
export function httpHealth(host: string, port: number, signal: AbortSignal, expectId?: string): Promise<HealthAnswer> {
  if (signal.aborted) return Promise.resolve('timeout');
  return new Promise((resolve) => {
    const request = http.get({ host, port, path: '/health', agent: false, signal }, (response) => {
      const status = response.statusCode ?? 0;
      let body = '';
      response.setEncoding('utf8');
      response.on('data', (chunk: string) => {
        if (body.length < 4096) body += chunk;
      });
      response.once('end', () => {
        if (status < 200 || status >= 300) return resolve('error');
        resolve(expectId === undefined || namesId(body, expectId) ? 'ok' : 'error');
      });
      response.once('error', () => resolve(signal.aborted ? 'timeout' : 'error'));
    });
    request.once('error', (error: NodeJS.ErrnoException) => {
      if (signal.aborted) resolve('timeout');
      else resolve(error.code === 'ECONNREFUSED' ? 'refused' : 'error');
    });
  });
}

function namesId(body: string, id: string): boolean {
  try {
    return (JSON.parse(body) as { id?: unknown }).id === id;
  } catch {
    return false;
  }
}
