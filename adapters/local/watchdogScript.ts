/**
 * Source of the watchdog the adapter starts next to itself (written to the
 * adapter's temp dir and run with plain `node`, so it needs no build step).
 *
 * Why a separate process: `close()` cleans up on the happy path and an
 * `exit` hook on a normal exit, but a test worker killed with `SIGKILL` or a
 * crashed run runs no JavaScript at all. The watchdog holds the read end of a
 * pipe whose write end only the adapter's process holds; the kernel closes it
 * when that process dies, however it dies. Then the watchdog stops every
 * process listed in `<root>/pids` (frozen ones resumed; a postmaster gets
 * `SIGQUIT`, PostgreSQL's immediate shutdown, which also releases its shared
 * memory; anything left after 5 s gets `SIGKILL`) and removes the temp dir.
 * It only signals pids whose command line names the temp dir, so a recycled
 * pid is never hit.
 */
export const WATCHDOG_SCRIPT = String.raw`'use strict';
const fs = require('fs');
const path = require('path');
const root = process.argv[2];
const pidDir = path.join(root, 'pids');
let cleaning = false;

function listed() {
  let names = [];
  try { names = fs.readdirSync(pidDir); } catch { return []; }
  const found = [];
  for (const name of names) {
    try {
      const [pid, kind] = fs.readFileSync(path.join(pidDir, name), 'utf8').trim().split(' ');
      if (Number(pid) > 0) found.push({ pid: Number(pid), kind });
    } catch {}
  }
  return found;
}
function belongs(pid) {
  if (!fs.existsSync('/proc/self/cmdline')) return true;
  try { return fs.readFileSync('/proc/' + pid + '/cmdline', 'utf8').includes(root); } catch { return false; }
}
function alive(pid) {
  try { process.kill(pid, 0); return true; } catch (e) { return e.code === 'EPERM'; }
}
function send(pid, signal) {
  try { process.kill(pid, signal); } catch {}
}
// PostgreSQL children run in sessions of their own: find them by parent pid.
function children(parent) {
  let entries = [];
  try { entries = fs.readdirSync('/proc'); } catch { return []; }
  const found = [];
  for (const entry of entries) {
    if (!/^[0-9]+$/.test(entry)) continue;
    try {
      const stat = fs.readFileSync('/proc/' + entry + '/stat', 'utf8');
      if (Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]) === parent) found.push(Number(entry));
    } catch {}
  }
  return found;
}
function cleanUp() {
  if (cleaning) return;
  cleaning = true;
  const victims = listed().filter((p) => belongs(p.pid));
  for (const p of victims) {
    p.kids = children(p.pid);
    for (const pid of [...p.kids, p.pid]) send(pid, 'SIGCONT');
    send(p.pid, p.kind === 'postgres' ? 'SIGQUIT' : 'SIGKILL');
  }
  const deadline = Date.now() + 5000;
  const finish = () => {
    if (victims.some((p) => alive(p.pid)) && Date.now() < deadline) return void setTimeout(finish, 100);
    for (const p of victims) if (alive(p.pid)) for (const pid of [p.pid, ...p.kids]) send(pid, 'SIGKILL');
    try { fs.rmSync(root, { recursive: true, force: true, maxRetries: 5, retryDelay: 100 }); } catch {}
    process.exit(0);
  };
  finish();
}
process.stdin.on('end', cleanUp);
process.stdin.on('close', cleanUp);
process.stdin.on('error', cleanUp);
process.stdin.resume();
// The adapter sends SIGTERM after its own clean close(); nothing is left to do then.
process.on('SIGTERM', () => { if (!cleaning) process.exit(0); });
process.on('SIGINT', () => undefined);
process.on('SIGHUP', () => undefined);
setInterval(() => { if (!cleaning && !fs.existsSync(root)) process.exit(0); }, 2000);
`;
