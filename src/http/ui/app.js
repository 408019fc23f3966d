// The status page's script: polls ui/data and draws the topology (inline SVG) and the routes
// table. No framework and no markup from strings: every name and error text from the appliance
// goes into the page as a text node or an attribute value, so nothing it holds can become markup.
'use strict';

const POLL_MS = 3000;
const REQUEST_TIMEOUT_MS = 5000;
const SVG = 'http://www.w3.org/2000/svg';

/** The element `tag` with attributes and children (strings become text nodes). */
function el(tag, attributes = {}, ...children) {
  return build(document.createElement(tag), attributes, children);
}

function svg(tag, attributes = {}, ...children) {
  return build(document.createElementNS(SVG, tag), attributes, children);
}

function build(node, attributes, children) {
  for (const [name, value] of Object.entries(attributes)) {
    if (value !== undefined && value !== null) node.setAttribute(name, String(value));
  }
  for (const child of children) {
    if (child === undefined || child === null || child === false) continue;
    node.append(typeof child === 'string' ? document.createTextNode(child) : child);
  }
  return node;
}

const integer = new Intl.NumberFormat('en-US', { maximumFractionDigits: 0 });
const decimal = new Intl.NumberFormat('en-US', { maximumFractionDigits: 1 });

function perSecond(value) {
  return value === null || value === undefined ? 'unknown' : decimal.format(value);
}

/** Records per second for an edge label. */
function rate(value) {
  return value === null || value === undefined ? 'rate unknown' : `${perSecond(value)} rec/s`;
}

function count(value) {
  return value === null || value === undefined ? 'unknown' : integer.format(value);
}

function age(seconds) {
  if (seconds === null || seconds === undefined) return 'unknown';
  if (seconds < 120) return `${integer.format(seconds)} s`;
  if (seconds < 7200) return `${integer.format(Math.floor(seconds / 60))} min ${integer.format(seconds % 60)} s`;
  return `${decimal.format(seconds / 3600)} h`;
}

/** CSS class of a state: RUNNING and FAILED have their own, every other state is a problem. */
function stateClass(state) {
  return state === 'RUNNING' || state === 'FAILED' ? state : 'problem';
}

/** The first line of a trace (the error's name and message). */
function firstLine(text) {
  return String(text).split('\n', 1)[0];
}

/** A route's state in one word for the edge label: its own, or the worst of its connectors and tasks. */
function routeHealth(route) {
  if (!route.enabled) return 'heartbeats only';
  if (route.state !== 'RUNNING') return route.state;
  for (const c of route.connectors) {
    if (c.state !== 'RUNNING') return `${c.name} ${c.state}`;
    for (const t of c.tasks) if (t.state !== 'RUNNING') return `${c.name} task ${t.id} ${t.state}`;
  }
  return 'RUNNING';
}

function drawTopology(data) {
  const picture = document.getElementById('topology');
  const clusters = data.clusters;
  const width = 900;
  const height = clusters.length > 2 ? 480 : 300;
  const radius = clusters.length > 2 ? 180 : 0;
  const cx = width / 2;
  const cy = height / 2 + 15;
  /** Nodes on a circle; two clusters side by side. */
  const at = new Map(
    clusters.map((name, i) => {
      if (clusters.length === 1) return [name, { x: cx, y: cy }];
      if (clusters.length === 2) return [name, { x: i === 0 ? 170 : width - 170, y: cy }];
      const angle = (2 * Math.PI * i) / clusters.length - Math.PI / 2;
      return [name, { x: cx + radius * 1.6 * Math.cos(angle), y: cy + radius * Math.sin(angle) }];
    }),
  );
  const nodeRadius = 34;
  // Fit the picture's height to the nodes and the heartbeat lines above and below them.
  const ys = [...at.values()].map((p) => p.y);
  const top = Math.min(...ys, cy) - nodeRadius - 40;
  const bottom = Math.max(...ys, cy) + nodeRadius + 40;
  picture.setAttribute('viewBox', `0 ${top} ${width} ${bottom - top}`);
  const defs = svg(
    'defs',
    {},
    ...['RUNNING', 'FAILED', 'problem', 'heartbeats-only'].map((kind) =>
      svg(
        'marker',
        {
          id: `arrow-${kind}`,
          viewBox: '0 0 10 10',
          refX: 10,
          refY: 5,
          markerWidth: 7,
          markerHeight: 7,
          orient: 'auto-start-reverse',
          class: kind,
        },
        svg('path', { d: 'M 0 0 L 10 5 L 0 10 z', class: `arrowhead ${kind}` }),
      ),
    ),
  );
  const edges = data.routes.map((route) => {
    const from = at.get(route.source);
    const to = at.get(route.target);
    if (!from || !to) return null;
    // Bend each edge to its left: A->B and B->A become two separate arcs.
    const dx = to.x - from.x;
    const dy = to.y - from.y;
    const length = Math.hypot(dx, dy) || 1;
    const nx = -dy / length;
    const ny = dx / length;
    const bend = 60;
    const mid = { x: (from.x + to.x) / 2 + nx * bend, y: (from.y + to.y) / 2 + ny * bend };
    const shorten = (p, toward) => {
      const ux = toward.x - p.x;
      const uy = toward.y - p.y;
      const l = Math.hypot(ux, uy) || 1;
      return { x: p.x + (ux / l) * (nodeRadius + 4), y: p.y + (uy / l) * (nodeRadius + 4) };
    };
    const start = shorten(from, mid);
    const end = shorten(to, mid);
    const health = routeHealth(route);
    const kind = !route.enabled ? 'heartbeats-only' : stateClass(health);
    const r = route.replication;
    // A route that has not started moves nothing: its state is the whole story (the table has the error).
    const label = !route.enabled
      ? [`${route.route}: heartbeats only`]
      : route.state !== 'RUNNING'
        ? [route.route, health]
        : [`${route.route}: ${rate(r.recordsPerSecond)}, lag ${count(r.lagRecords)}`, health];
    const labelAt = { x: (start.x + end.x) / 4 + mid.x / 2, y: (start.y + end.y) / 4 + mid.y / 2 + ny * 14 };
    return svg(
      'g',
      {
        class: `edge ${kind}`,
        'data-route': route.route,
        'data-state': health,
        'data-records': r.records,
        'data-rate': r.recordsPerSecond,
      },
      svg(
        'path',
        {
          d: `M ${start.x} ${start.y} Q ${mid.x} ${mid.y} ${end.x} ${end.y}`,
          'marker-end': `url(#arrow-${kind})`,
        },
        svg('title', {}, `${route.route}: ${health}`),
      ),
      svg(
        'text',
        { x: labelAt.x, y: labelAt.y, 'text-anchor': 'middle' },
        ...label.map((line, i) => svg('tspan', { x: labelAt.x, dy: i === 0 ? 0 : '1.2em' }, line)),
      ),
    );
  });
  const nodes = clusters.map((name) => {
    const p = at.get(name);
    // Heartbeats arriving at this cluster, by origin, with the fewest hops seen.
    const heard = new Map();
    for (const route of data.routes) {
      if (route.target !== name) continue;
      for (const h of route.heartbeats) {
        if (h.origin === undefined) continue;
        const hops = heard.get(h.origin);
        if (hops === undefined || (h.hops ?? Infinity) < hops) heard.set(h.origin, h.hops);
      }
    }
    const heardText = [...heard]
      .sort(([a], [b]) => (a < b ? -1 : 1))
      .map(([origin, hops]) => `${origin} (${hops === undefined ? '?' : hops} hop${hops === 1 ? '' : 's'})`)
      .join(', ');
    return svg(
      'g',
      { class: 'node', 'data-cluster': name },
      svg('circle', { cx: p.x, cy: p.y, r: nodeRadius }),
      svg('text', { class: 'name', x: p.x, y: p.y + 5, 'text-anchor': 'middle' }, name),
      svg(
        'text',
        // Under a node in the lower half, over one in the upper half: away from the edges between them.
        {
          class: 'heard',
          x: p.x,
          y: p.y >= cy ? p.y + nodeRadius + 18 : p.y - nodeRadius - 10,
          'text-anchor': 'middle',
        },
        heardText ? `heartbeats from ${heardText}` : 'no heartbeats received',
      ),
    );
  });
  picture.replaceChildren(defs, ...edges.filter(Boolean), ...nodes);
}

function stateWord(state) {
  return el('span', { class: `state ${stateClass(state)}` }, state);
}

/** The error under a unit: its first line, and the whole trace on demand. */
function errorBlock(text) {
  if (!text) return null;
  const first = firstLine(text);
  return el(
    'div',
    {},
    el('p', { class: 'error' }, first),
    text.length > first.length
      ? el('details', {}, el('summary', {}, 'full trace'), el('pre', { class: 'error' }, text))
      : null,
  );
}

function unitsCell(route) {
  const list = el('ul', { class: 'units' });
  for (const c of route.connectors) {
    const tasks = el('ul', {});
    for (const t of c.tasks) {
      tasks.append(
        el(
          'li',
          { 'data-task': `${c.name}-${t.id}`, 'data-state': t.state },
          `task ${t.id}: `,
          stateWord(t.state),
          errorBlock(t.trace),
        ),
      );
    }
    list.append(
      el(
        'li',
        { 'data-connector': c.name, 'data-state': c.state },
        `${c.name}: `,
        stateWord(c.state),
        errorBlock(c.trace),
        c.tasks.length > 0 ? tasks : null,
      ),
    );
  }
  if (route.connectors.length === 0) list.append(el('li', {}, 'no connector started yet'));
  return el('td', {}, list);
}

function drawRoutes(data) {
  const rows = data.routes.map((route) => {
    const r = route.replication;
    const number = (text) => el('td', { class: 'number' }, text);
    return el(
      'tr',
      { 'data-route': route.route, 'data-state': route.state },
      el('th', { scope: 'row' }, route.route, route.enabled ? null : el('div', { class: 'hint' }, 'heartbeats only')),
      el('td', {}, stateWord(route.state), errorBlock(route.error)),
      number(route.enabled ? perSecond(r.recordsPerSecond) : 'n/a'),
      number(route.enabled ? count(r.records) : 'n/a'),
      number(route.enabled ? count(r.lagRecords) : 'n/a'),
      number(route.enabled ? age(r.recoveryPointAgeSeconds) : 'n/a'),
      unitsCell(route),
    );
  });
  if (rows.length === 0) rows.push(el('tr', {}, el('td', { colspan: 7 }, 'No routes selected.')));
  document.querySelector('#routes tbody').replaceChildren(...rows);
}

let lastGood;

async function refresh() {
  const updated = document.getElementById('updated');
  try {
    const response = await fetch('ui/data', {
      headers: { accept: 'application/json' },
      signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
    });
    if (!response.ok) throw new Error(`HTTP ${response.status}`);
    const data = await response.json();
    document.getElementById('version').textContent = `v${data.version}`;
    drawTopology(data);
    drawRoutes(data);
    lastGood = data.generatedAt;
    updated.textContent = `Updated ${new Date(data.generatedAt).toLocaleTimeString()}; refreshes every ${POLL_MS / 1000} s`;
    updated.classList.remove('stale');
  } catch (err) {
    // Keep the last picture, say that it is old.
    updated.textContent = `Cannot reach the appliance (${err instanceof Error ? err.message : String(err)}); ${
      lastGood ? `showing data from ${new Date(lastGood).toLocaleTimeString()}` : 'no data yet'
    }`;
    updated.classList.add('stale');
  } finally {
    setTimeout(refresh, POLL_MS);
  }
}

void refresh();
