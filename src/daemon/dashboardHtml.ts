/** The dashboard at `/`: static HTML that polls `/status` and `/events` every 2 s. */
export const dashboardHtml = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Lifeboat</title>
<style>
body{font:14px system-ui,sans-serif;margin:1.5em;color:#222}
h1{font-size:1.3em}h2{font-size:1.1em;margin-top:1.5em}
.grid{display:flex;flex-wrap:wrap;gap:.5em}
.zone{padding:.6em .8em;border-radius:6px;min-width:9em;color:#fff}
.healthy{background:#2e7d32}.degraded{background:#ef8f00}.impaired{background:#c62828}
table{border-collapse:collapse}td,th{border-bottom:1px solid #ddd;padding:.25em .6em;text-align:left}
#paused{color:#c62828;font-weight:bold}
</style></head><body>
<h1>Lifeboat <span id="who"></span> <span id="paused"></span></h1>
<h2>Zones</h2><div class="grid" id="zones"></div>
<h2>Databases</h2><table><thead><tr><th>database</th><th>primary</th><th>replicas (lag)</th><th>failovers</th><th>in flight</th></tr></thead><tbody id="dbs"></tbody></table>
<h2>Node groups</h2><table><thead><tr><th>group</th><th>healthy / min</th></tr></thead><tbody id="groups"></tbody></table>
<h2>Timeline</h2><table><tbody id="events"></tbody></table>
<script>
const esc = (s) => String(s ?? '').replace(/[&<>"]/g, (c) => ({'&':'&amp;','<':'&lt;','>':'&gt;','"':'&quot;'}[c]));
async function refresh() {
  try {
    const s = await (await fetch('/status')).json();
    document.getElementById('who').textContent = '(' + s.id + ')';
    document.getElementById('paused').textContent = s.paused ? 'PAUSED' : '';
    document.getElementById('zones').innerHTML = s.zones.map((z) => '<div class="zone ' + esc(z.state) + '" data-zone="' + esc(z.zone) + '"><b>' + esc(z.zone) + '</b><br>' + esc(z.state) + '</div>').join('');
    document.getElementById('dbs').innerHTML = s.databases.map((d) => '<tr data-db="' + esc(d.database) + '"><td>' + esc(d.database) + '</td><td class="primary">' + esc(d.primary) + '</td><td>' + d.replicas.map((r) => esc(r.id) + ' (' + esc(r.lagSeconds) + 's)').join(', ') + '</td><td>' + d.failovers + '</td><td>' + (d.promotion ? 'promoting ' + esc(d.promotion.target) : '') + '</td></tr>').join('');
    document.getElementById('groups').innerHTML = s.groups.map((g) => '<tr><td>' + esc(g.group) + '</td><td>' + g.healthy + ' / ' + g.minHealthy + '</td></tr>').join('');
    const e = await (await fetch('/events?limit=30')).json();
    document.getElementById('events').innerHTML = e.events.reverse().map((x) => '<tr><td>' + esc(x.time) + '</td><td>' + esc(x.kind) + '</td><td>' + esc(x.detail) + '</td></tr>').join('');
  } catch (err) { document.getElementById('paused').textContent = 'daemon unreachable'; }
}
refresh(); setInterval(refresh, 2000);
</script></body></html>
`;
