import net from 'node:net';
import { abortError } from '../../src/core/clock/Clock.js';

/**
 * Sends one line of commands (`;`-separated; HAProxy runs them in order) to
 * an HAProxy runtime API socket and resolves with its whole answer (the
 * socket closes after one line in non-interactive mode). Rejects when the
 * socket cannot be reached or `signal` fires.
 */
export function haproxyCommand(socketPath: string, command: string, signal: AbortSignal): Promise<string> {
  if (signal.aborted) return Promise.reject(abortError(signal));
  return new Promise((resolve, reject) => {
    const socket = net.connect(socketPath);
    let answer = '';
    const onAbort = () => {
      socket.destroy();
      reject(abortError(signal));
    };
    signal.addEventListener('abort', onAbort, { once: true });
    socket.setEncoding('utf8');
    socket.on('data', (chunk: string) => (answer += chunk));
    socket.once('error', (error) => {
      signal.removeEventListener('abort', onAbort);
      reject(error);
    });
    socket.once('close', (hadError) => {
      signal.removeEventListener('abort', onAbort);
      if (!hadError) resolve(answer);
    });
    socket.end(`${command}\n`);
  });
}
