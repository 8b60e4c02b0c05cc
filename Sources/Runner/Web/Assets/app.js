// SwiftLocust web UI. Plain JavaScript (ES2020), no framework, no build step.
// The server fills window.basePath and window.templateArgs in index.html; every request below is
// BASE + "/path". Polling: /stats/requests and /stats/history every 2 s, plus the visible tab's endpoint.
"use strict";

(() => {
  // ---------------------------------------------------------------- configuration and state
  const rawBase = typeof window.basePath === "string" ? window.basePath : "";
  const BASE = rawBase.includes("{{") ? "" : rawBase.replace(/\/+$/, "");
  const TA = window.templateArgs && typeof window.templateArgs === "object" ? window.templateArgs : {};
  const POLL_MS = 2000;
  const FETCH_TIMEOUT_MS = 8000;
  const THEME_KEY = "swiftlocust-theme";
  const RUNNING = new Set(["spawning", "running"]);
  const PERCENTILES = Array.isArray(TA.percentiles_to_chart) && TA.percentiles_to_chart.length ? TA.percentiles_to_chart : [0.5, 0.95];
  const TAB_ENDPOINTS = { workers: "/workers", exceptions: "/exceptions", ratio: "/tasks", logs: "/logs" };
  const TABS = ["stats", "charts", "failures", "exceptions", "ratio", "workers", "logs", "download"];

  const ui = {
    state: TA.state || "ready",
    distributed: !!TA.is_distributed,
    workerCount: Number(TA.worker_count) || 0,
    host: TA.host ?? null,
    stats: null,
    tab: "stats",
    sort: { key: null, dir: 1 },
    last: { user_count: TA.num_users ?? 1, spawn_rate: TA.spawn_rate ?? 1 },
    rendered: {}, // JSON of what each tab last drew, so an unchanged answer leaves the DOM (and selections) alone
  };
  window.chartsDrawn = 0;

  // ---------------------------------------------------------------- small helpers
  const $ = (sel, root = document) => root.querySelector(sel);
  const $$ = (sel, root = document) => Array.from(root.querySelectorAll(sel));

  function h(tag, attrs = {}, ...children) {
    const node = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs)) {
      if (v == null || v === false) continue;
      if (k === "class") node.className = v;
      else if (k === "text") node.textContent = v;
      else if (k.startsWith("on")) node.addEventListener(k.slice(2), v);
      else node.setAttribute(k, v === true ? "" : String(v));
    }
    for (const c of children.flat()) if (c != null) node.append(c instanceof Node ? c : String(c));
    return node;
  }

  const round = (v, digits = 2) => Math.round(v * 10 ** digits) / 10 ** digits;
  const pad = (n) => String(n).padStart(2, "0");

  function fmtNum(v, kind) {
    if (v == null || typeof v !== "number" || Number.isNaN(v)) return "—";
    return kind === "int" ? String(Math.round(v)) : String(round(v, 2));
  }
  function fmtPercent(ratio) {
    return `${round((Number(ratio) || 0) * 100, 1)}%`;
  }
  function fmtClock(ms) {
    const d = new Date(ms);
    return `${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}`;
  }
  function fmtDateTime(epochSeconds) {
    if (epochSeconds == null) return "—";
    const d = new Date(epochSeconds * 1000);
    return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())} ${fmtClock(d)}`;
  }
  function percentileLabel(q) {
    return `${round(q * 100, 2)}th percentile`;
  }
  function unchanged(key, data) {
    const json = JSON.stringify(data);
    if (ui.rendered[key] === json) return true;
    ui.rendered[key] = json;
    return false;
  }
  function emptyRow(colspan, text) {
    return h("tr", { class: "empty" }, h("td", { colspan, text }));
  }
  function cssVar(name) {
    return getComputedStyle(document.documentElement).getPropertyValue(name).trim();
  }

  // ---------------------------------------------------------------- network
  class HttpError extends Error {
    constructor(path, status) {
      super(`${path}: HTTP ${status}`);
      this.status = status;
    }
  }

  async function call(path, options = {}) {
    const ctl = new AbortController();
    const timer = setTimeout(() => ctl.abort(), FETCH_TIMEOUT_MS);
    try {
      return await fetch(BASE + path, { cache: "no-store", ...options, signal: ctl.signal });
    } finally {
      clearTimeout(timer);
    }
  }

  async function getJSON(path) {
    const res = await call(path);
    if (!res.ok) throw new HttpError(path, res.status);
    return res.json();
  }

  // POSTs form fields ([[name, value], ...]); answers {ok, status, text, json} and never throws on an HTTP error.
  async function post(path, fields = []) {
    const body = new URLSearchParams();
    for (const [k, v] of fields) body.append(k, v);
    const res = await call(path, { method: "POST", body });
    const text = await res.text();
    let json = null;
    try { json = JSON.parse(text); } catch { /* not JSON (e.g. "ok") */ }
    return { ok: res.ok, status: res.status, text, json };
  }

  function setOnline(ok) {
    $("#conn-badge").hidden = ok;
  }

  // ---------------------------------------------------------------- header
  function setState(next) {
    ui.state = next;
    if (RUNNING.has(next)) closeModal("start");
    else closeModal("edit");
  }

  function renderHeader() {
    const s = ui.stats;
    const status = $("#status");
    status.textContent = ui.state;
    status.className = `status status-${ui.state}`;
    document.documentElement.dataset.state = ui.state;
    const host = $("#host-display");
    host.textContent = ui.host || "—";
    host.title = ui.host || "no host set";
    $("#user-count").textContent = String(s ? s.user_count ?? 0 : TA.user_count ?? 0);
    $("#worker-count").textContent = String(ui.workerCount);
    const rps = $("#rps");
    rps.textContent = String(round(s?.current_rps ?? 0, 1));
    rps.title = s ? `average over the test: ${round(s.total_rps ?? 0, 2)}/s` : "";
    const fail = $("#fail-ratio");
    fail.textContent = fmtPercent(s?.fail_ratio);
    fail.classList.toggle("bad", (s?.fail_ratio ?? 0) > 0);
    const running = RUNNING.has(ui.state);
    $("#edit-button").hidden = !running || TA.is_shape === true;
    $("#stop-button").hidden = !running;
    // "New test" when stopped; also when ready and the start form was closed (to look at tabs first).
    $("#new-test-button").hidden = !(ui.state === "stopped" || (ui.state === "ready" && $("#start-modal").hidden));
    $("#waiting-workers").hidden = !(ui.distributed && ui.workerCount === 0);
  }

  // ---------------------------------------------------------------- statistics tab
  const STAT_COLUMNS = [
    { key: "method", title: "Type", kind: "text" },
    { key: "name", title: "Name", kind: "text" },
    { key: "num_requests", title: "# Requests", kind: "int" },
    { key: "num_failures", title: "# Fails", kind: "int" },
    { key: "median_response_time", title: "Median (ms)", kind: "int" },
    { key: "response_time_percentile_0.95", title: "95%ile (ms)", kind: "int" },
    { key: "response_time_percentile_0.99", title: "99%ile (ms)", kind: "int" },
    { key: "avg_response_time", title: "Average (ms)", kind: "dec" },
    { key: "min_response_time", title: "Min (ms)", kind: "dec" },
    { key: "max_response_time", title: "Max (ms)", kind: "dec" },
    { key: "avg_content_length", title: "Average size (bytes)", kind: "dec" },
    { key: "current_rps", title: "Current RPS", kind: "dec" },
    { key: "current_fail_per_sec", title: "Current Failures/s", kind: "dec" },
  ];

  function buildStatsHead() {
    const tr = $("#stats-table thead tr");
    for (const col of STAT_COLUMNS) {
      tr.append(h("th", {
        "data-sort": col.key,
        class: col.kind === "text" ? "sortable" : "num sortable",
        title: `Sort by ${col.title}`,
        onclick: () => sortStats(col.key),
      }, col.title));
    }
  }

  function sortStats(key) {
    ui.sort = ui.sort.key === key ? { key, dir: -ui.sort.dir } : { key, dir: 1 };
    renderStats();
  }

  function compareValues(a, b) {
    if (typeof a === "number" || typeof b === "number") return (a ?? -Infinity) - (b ?? -Infinity);
    return String(a ?? "").localeCompare(String(b ?? ""));
  }

  function renderStats() {
    const all = ui.stats?.stats || [];
    const last = all[all.length - 1];
    const agg = last && last.name === "Aggregated" && !last.method ? last : null;
    const rows = agg ? all.slice(0, -1) : all.slice();
    if (ui.sort.key) {
      const { key, dir } = ui.sort;
      rows.sort((a, b) => compareValues(a[key], b[key]) * dir || compareValues(a.name, b.name));
    }
    if (agg) rows.push(agg);

    const tbody = $("#stats-table tbody");
    const rowKey = (method, name) => `${method}\u0000${name}`;
    const existing = new Map($$("tr[data-name]", tbody).map((tr) => [rowKey(tr.dataset.method, tr.dataset.name), tr]));
    const keep = new Set();
    rows.forEach((r, i) => {
      const key = rowKey(r.method ?? "", r.name);
      let tr = existing.get(key);
      if (!tr) {
        tr = h("tr", { "data-name": r.name, "data-method": r.method ?? "" },
          STAT_COLUMNS.map((c) => h("td", { "data-col": c.key, class: c.kind === "text" ? c.key : "num" })));
      }
      tr.classList.toggle("aggregated", r === agg);
      for (const td of tr.children) {
        const col = STAT_COLUMNS.find((c) => c.key === td.dataset.col);
        const text = col.kind === "text" ? String(r[col.key] ?? "") : fmtNum(r[col.key], col.kind);
        if (td.textContent !== text) td.textContent = text;
        if (col.key === "name") td.title = r.name;
      }
      tr.querySelector('[data-col="num_failures"]').classList.toggle("bad", (r.num_failures ?? 0) > 0);
      if (tbody.children[i] !== tr) tbody.insertBefore(tr, tbody.children[i] || null);
      keep.add(key);
    });
    for (const [key, tr] of existing) if (!keep.has(key)) tr.remove();
    for (const th of $$("#stats-table th[data-sort]")) {
      th.classList.toggle("sorted-asc", ui.sort.key === th.dataset.sort && ui.sort.dir === 1);
      th.classList.toggle("sorted-desc", ui.sort.key === th.dataset.sort && ui.sort.dir === -1);
    }
  }

  // ---------------------------------------------------------------- failures tab (from /stats/requests errors[])
  function renderFailures() {
    const errors = (ui.stats?.errors || []).slice().sort((a, b) => (b.occurrences ?? 0) - (a.occurrences ?? 0));
    $("#failures-count").textContent = errors.length ? String(errors.length) : "";
    if (unchanged("failures", errors)) return;
    const rows = errors.map((e) => h("tr", { "data-name": e.name, "data-method": e.method ?? "" },
      h("td", { class: "num bad", "data-col": "occurrences", text: String(e.occurrences ?? 0) }),
      h("td", { "data-col": "method", text: e.method ?? "" }),
      h("td", { class: "name", "data-col": "name", text: e.name ?? "" }),
      h("td", { class: "message", "data-col": "error" }, h("code", { text: e.error ?? "" })),
      h("td", { class: "time", "data-col": "first_seen", text: fmtDateTime(e.first_seen) }),
      h("td", { class: "time", "data-col": "last_seen", text: fmtDateTime(e.last_seen) })));
    $("#failures-table tbody").replaceChildren(...(rows.length ? rows : [emptyRow(6, "No failures")]));
  }

  // ---------------------------------------------------------------- exceptions tab
  function renderExceptions(data) {
    const list = (data.exceptions || []).slice().sort((a, b) => (b.count ?? 0) - (a.count ?? 0));
    if (unchanged("exceptions", list)) return;
    const rows = list.map((e) => h("tr", {},
      h("td", { class: "num bad", "data-col": "count", text: String(e.count ?? 0) }),
      h("td", { class: "message", "data-col": "msg" }, h("code", { text: e.msg ?? "" })),
      h("td", { "data-col": "traceback" }, h("pre", { class: "traceback", text: e.traceback ?? "" })),
      h("td", { class: "nodes", "data-col": "nodes", text: Array.isArray(e.nodes) ? e.nodes.join(", ") : String(e.nodes ?? "") })));
    $("#exceptions-table tbody").replaceChildren(...(rows.length ? rows : [emptyRow(4, "No exceptions")]));
  }

  // ---------------------------------------------------------------- current ratio tab (/tasks)
  function ratioRow(label, ratio, attrs, strong) {
    const pct = `${round((ratio ?? 0) * 100, 1)}%`;
    return h("div", { class: strong ? "ratio-row strong" : "ratio-row", ...attrs },
      h("span", { class: "ratio-pct", text: pct }),
      h("span", { class: "ratio-label", text: label }),
      h("span", { class: "ratio-bar" }, h("span", { style: `width:${Math.min(100, (ratio ?? 0) * 100)}%` })));
  }

  function ratioCard(title, kind, classes) {
    const entries = Object.entries(classes || {});
    const list = h("ul", { class: "ratio-list" }, entries.map(([cls, info]) => h("li", {},
      ratioRow(cls, info.ratio, { "data-class": cls }, true),
      h("ul", { class: "ratio-list nested" }, Object.entries(info.tasks || {}).map(([task, t]) =>
        h("li", {}, ratioRow(task, t.ratio, { "data-class": cls, "data-task": task })))))));
    return h("div", { class: "card ratio-card", "data-ratio": kind }, h("h3", { text: title }),
      entries.length ? list : h("p", { class: "muted", text: "No user classes" }));
  }

  function renderRatio(data) {
    if (unchanged("ratio", data)) return;
    $("#ratio-content").replaceChildren(
      ratioCard("Ratio per class", "per_class", data.per_class),
      ratioCard("Total ratio", "total", data.total));
  }

  // ---------------------------------------------------------------- slaves tab (/workers)
  function renderWorkers(data) {
    const now = Date.now() / 1000;
    const list = (data.workers || []).slice().sort((a, b) => String(a.id).localeCompare(String(b.id)));
    const rows = list.map((w) => {
      const cpu = Number(w.cpu_usage) || 0;
      const lag = Number(w.lag_ms) || 0;
      const ago = w.last_heartbeat == null ? "—" : `${Math.max(0, Math.round(now - w.last_heartbeat))} s ago`;
      return h("tr", { "data-worker-id": w.id },
        h("td", { class: "mono", "data-col": "id", text: w.id }),
        h("td", { "data-col": "hostname", text: w.hostname ?? "" }),
        h("td", { "data-col": "state" }, h("span", { class: `status status-${w.state}`, text: w.state ?? "" })),
        h("td", { class: "num", "data-col": "user_count", text: String(w.user_count ?? 0) }),
        h("td", { class: cpu >= 90 ? "num bad" : "num", "data-col": "cpu_usage", text: cpu.toFixed(1), title: cpu >= 90 ? "CPU above 90%: the slave may not keep up" : null }),
        h("td", { class: "num", "data-col": "memory_usage", text: ((Number(w.memory_usage) || 0) / 1048576).toFixed(1) }),
        h("td", { class: lag >= 200 ? "num bad" : "num", "data-col": "lag_ms", text: String(lag), title: lag >= 200 ? "Users woke this late: the slave is overloaded or starved, its throughput is its own limit" : null }),
        h("td", { class: "num", "data-col": "last_heartbeat", text: ago }));
    });
    $("#workers-table tbody").replaceChildren(...(rows.length ? rows : [emptyRow(8, "No slaves connected")]));
  }

  // ---------------------------------------------------------------- logs tab
  function logLevelClass(line) {
    if (/\/(ERROR|CRITICAL)\/|\b(ERROR|CRITICAL)\b/.test(line)) return "log-line log-error";
    if (/\/WARNING\/|\bWARNING\b/.test(line)) return "log-line log-warn";
    return "log-line";
  }

  function renderLogs(data) {
    if (unchanged("logs", data)) return;
    const box = $("#logs-content");
    const scroll = new Map($$("pre.log", box).map((pre) => [pre.dataset.source,
      pre.scrollTop + pre.clientHeight >= pre.scrollHeight - 4 ? null : pre.scrollTop]));
    const sources = [["master", ui.distributed ? "Master" : "Log", data.master || []],
      ...Object.entries(data.workers || {}).sort().map(([id, lines]) => [id, `Slave ${id}`, lines || []])];
    box.replaceChildren(...sources.map(([source, title, lines]) => {
      const pre = h("pre", { class: "log", "data-source": source },
        lines.length ? lines.map((l) => h("span", { class: logLevelClass(l), text: `${l}\n` })) : h("span", { class: "muted", text: "(no lines yet)" }));
      return h("div", { class: "card log-card" }, h("h3", {}, title, h("span", { class: "muted", text: ` ${lines.length} lines` })), pre);
    }));
    for (const pre of $$("pre.log", box)) {
      const kept = scroll.get(pre.dataset.source);
      pre.scrollTop = kept == null ? pre.scrollHeight : kept;
    }
  }

  const TAB_RENDERERS = { workers: renderWorkers, exceptions: renderExceptions, ratio: renderRatio, logs: renderLogs };

  // ---------------------------------------------------------------- history and charts
  const hist = { last: 0, tests: new Map(), series: newSeries(), perName: new Map() };

  function newSeries() {
    return { rps: [], fail: [], pct: PERCENTILES.map(() => []), users: [], last: 0 };
  }

  function pushPoint(series, p, withUsers) {
    if (!(p.time > series.last)) return false; // duplicates from overlapping polls
    series.last = p.time;
    const x = p.time * 1000;
    series.rps.push({ x, y: p.current_rps ?? 0 });
    series.fail.push({ x, y: p.current_fail_per_sec ?? 0 });
    PERCENTILES.forEach((q, i) => series.pct[i].push({ x, y: p[`response_time_percentile_${q}`] ?? null }));
    if (withUsers) series.users.push({ x, y: p.user_count ?? 0 });
    return true;
  }

  function mergeHistory(data) {
    // Every answer lists all tests: fewer, or a test that started at another time, means the server restarted.
    const tests = data.tests || [];
    const restarted = tests.length < hist.tests.size || tests.some((t) => hist.tests.has(t.index) && hist.tests.get(t.index).started_at !== t.started_at);
    if (restarted) {
      resetHistory();
      return false;
    }
    for (const t of tests) hist.tests.set(t.index, t);
    for (const p of data.points || []) pushPoint(hist.series, p, true);
    hist.last = hist.series.last;
    for (const [name, points] of Object.entries(data.per_name || {})) {
      if (!hist.perName.has(name)) hist.perName.set(name, newSeries());
      for (const p of points || []) pushPoint(hist.perName.get(name), p, false);
    }
    return true;
  }

  function resetHistory() {
    hist.last = 0;
    hist.tests.clear();
    hist.series = newSeries();
    hist.perName.clear();
    destroyCharts();
    initCharts();
  }

  async function pollHistory() {
    const data = await getJSON(`/stats/history?since=${hist.last}`);
    if (mergeHistory(data) && ui.tab === "charts") updateCharts();
  }

  const charts = {};
  const COLORS = { rps: "#16a34a", fail: "#ef4444", users: "#3b82f6", pct: ["#8b5cf6", "#f59e0b", "#ec4899", "#14b8a6"] };
  const chartsAvailable = () => typeof window.Chart === "function";

  // Draws a dashed vertical line and a "Test N" label where each test started (no annotation plugin needed).
  const testMarkers = {
    id: "testMarkers",
    afterDatasetsDraw(chart) {
      const { ctx, chartArea: area, scales: { x } } = chart;
      if (!area || !x) return;
      const color = cssVar("--marker") || "#888";
      ctx.save();
      ctx.strokeStyle = color;
      ctx.fillStyle = color;
      ctx.lineWidth = 1;
      ctx.setLineDash([4, 4]);
      ctx.font = "600 11px system-ui, sans-serif";
      ctx.textBaseline = "top";
      for (const t of hist.tests.values()) {
        const px = x.getPixelForValue(t.started_at * 1000);
        if (!Number.isFinite(px) || px < area.left - 0.5 || px > area.right + 0.5) continue;
        ctx.beginPath();
        ctx.moveTo(px, area.top);
        ctx.lineTo(px, area.bottom);
        ctx.stroke();
        ctx.fillText(`Test ${t.index}`, Math.min(px + 4, area.right - 40), area.top + 2);
      }
      ctx.restore();
    },
  };

  // Ticks at round clock intervals (10 s, 1 min, 5 min, 1 h...) on a linear axis of epoch milliseconds.
  function timeTicks(scale) {
    const span = scale.max - scale.min;
    const steps = [1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 900, 1800, 3600, 7200, 10800, 21600, 43200, 86400];
    const step = (steps.find((s) => span / (s * 1000) <= 7) || 86400) * 1000;
    const ticks = [];
    for (let v = Math.ceil(scale.min / step) * step; v <= scale.max; v += step) ticks.push({ value: v });
    scale.ticks = ticks;
  }

  function dataset(label, data, color, extra = {}) {
    return { label, data, borderColor: color, backgroundColor: `${color}33`, borderWidth: 2, pointRadius: 0, pointHitRadius: 6, tension: 0, ...extra };
  }

  function lineChart(canvasId, datasets, { yTitle, y2Title } = {}) {
    const text = cssVar("--chart-text"), grid = cssVar("--chart-grid");
    const axis = (title, extra = {}) => ({
      beginAtZero: true, grid: { color: grid }, ticks: { color: text, maxTicksLimit: 6 },
      title: { display: !!title, text: title, color: text }, ...extra,
    });
    const scales = {
      x: { type: "linear", grid: { color: grid }, afterBuildTicks: timeTicks, ticks: { color: text, maxRotation: 0, callback: (v) => fmtClock(v) } },
      y: axis(yTitle),
    };
    if (y2Title) scales.y2 = axis(y2Title, { position: "right", grid: { drawOnChartArea: false, color: grid } });
    return new window.Chart(document.getElementById(canvasId), {
      type: "line",
      data: { datasets },
      plugins: [testMarkers],
      options: {
        animation: false, parsing: false, normalized: true, responsive: true, maintainAspectRatio: false, spanGaps: false,
        interaction: { mode: "index", intersect: false },
        scales,
        plugins: {
          decimation: { enabled: true, algorithm: "min-max" },
          legend: { position: "top", align: "end", labels: { color: text, boxWidth: 12, boxHeight: 12 } },
          tooltip: {
            callbacks: {
              title: (items) => (items.length ? fmtClock(items[0].parsed.x) : ""),
              label: (item) => `${item.dataset.label}: ${item.parsed.y == null ? "—" : round(item.parsed.y, 2)}`,
            },
          },
        },
      },
    });
  }

  function initCharts() {
    if (!chartsAvailable()) {
      $("#charts-note").hidden = false;
      $("#charts-grid").hidden = true;
      return;
    }
    const s = hist.series;
    charts.rps = lineChart("chart-rps", [dataset("RPS", s.rps, COLORS.rps), dataset("Failures/s", s.fail, COLORS.fail)]);
    charts.rt = lineChart("chart-response-times",
      PERCENTILES.map((q, i) => dataset(percentileLabel(q), s.pct[i], COLORS.pct[i % COLORS.pct.length])), { yTitle: "ms" });
    charts.users = lineChart("chart-users", [dataset("Users", s.users, COLORS.users, { fill: "origin" })]);
    buildPerNameChart();
  }

  function destroyCharts() {
    for (const key of Object.keys(charts)) {
      charts[key]?.destroy();
      delete charts[key];
    }
  }

  function buildPerNameChart() {
    charts.perName?.destroy();
    const series = hist.perName.get($("#per-name-select").value) || newSeries();
    charts.perName = lineChart("chart-per-name", [
      dataset("RPS", series.rps, COLORS.rps),
      dataset("Failures/s", series.fail, COLORS.fail),
      ...PERCENTILES.map((q, i) => dataset(`${percentileLabel(q)} (ms)`, series.pct[i], COLORS.pct[i % COLORS.pct.length], { yAxisID: "y2" })),
    ], { yTitle: "requests/s", y2Title: "ms" });
  }

  function refreshPerNameOptions() {
    const select = $("#per-name-select");
    const names = Array.from(hist.perName.keys()).sort();
    const current = Array.from(select.options, (o) => o.value);
    if (names.join("\u0000") === current.join("\u0000")) return false;
    const selected = select.value;
    select.replaceChildren(...names.map((n) => h("option", { value: n, text: n })));
    if (!names.length) select.append(h("option", { value: "", text: "(no requests yet)" }));
    select.value = names.includes(selected) ? selected : names[0] || "";
    return select.value !== selected;
  }

  function updateCharts() {
    if (!chartsAvailable() || !charts.rps) return;
    if (refreshPerNameOptions()) buildPerNameChart();
    const pts = hist.series.rps;
    const min = pts.length ? pts[0].x : Date.now() - 60000;
    const max = pts.length ? Math.max(pts[pts.length - 1].x, min + 1000) : Date.now();
    for (const chart of Object.values(charts)) {
      chart.options.scales.x.min = min;
      chart.options.scales.x.max = max;
      chart.update("none");
    }
    window.chartsDrawn = pts.length;
  }

  function themeCharts() {
    if (!chartsAvailable()) return;
    const text = cssVar("--chart-text"), grid = cssVar("--chart-grid");
    for (const chart of Object.values(charts)) {
      for (const scale of Object.values(chart.options.scales)) {
        scale.grid.color = grid;
        scale.ticks.color = text;
        if (scale.title) scale.title.color = text;
      }
      chart.options.plugins.legend.labels.color = text;
      chart.update("none");
    }
  }

  // ---------------------------------------------------------------- tabs
  function showTab(name) {
    if (!TABS.includes(name) || (name === "workers" && !ui.distributed)) name = "stats";
    ui.tab = name;
    for (const btn of $$(".tab")) {
      const active = btn.dataset.tab === name;
      btn.classList.toggle("active", active);
      btn.setAttribute("aria-selected", String(active));
    }
    for (const tab of TABS) $(`#tab-${tab}`).hidden = tab !== name;
    if (location.hash !== `#${name}`) history.replaceState(null, "", `#${name}`);
    if (name === "charts") updateCharts();
    pollTab().catch(() => setOnline(false));
  }

  async function pollTab() {
    const tab = ui.tab;
    const path = TAB_ENDPOINTS[tab];
    if (!path) return;
    const note = $(`#tab-${tab} .tab-note`);
    try {
      const data = await getJSON(path);
      if (ui.tab !== tab) return;
      note.hidden = true;
      TAB_RENDERERS[tab](data);
    } catch (err) {
      if (!(err instanceof HttpError)) throw err;
      note.textContent = `Could not load ${path} (HTTP ${err.status}).`;
      note.hidden = false;
    }
  }

  // ---------------------------------------------------------------- polling
  async function pollStats() {
    const s = await getJSON("/stats/requests");
    ui.stats = s;
    if (s.state) setState(s.state);
    if (typeof s.worker_count === "number") ui.workerCount = s.worker_count;
    renderHeader();
    renderStats();
    renderFailures();
  }

  async function refresh() {
    const results = await Promise.allSettled([pollStats(), pollHistory(), pollTab()]);
    // The statistics failing in any way, or any request failing to reach the server, is "connection lost".
    const lost = results.some((r, i) => r.status === "rejected" && (i === 0 || !(r.reason instanceof HttpError)));
    setOnline(!lost);
  }

  async function loop() {
    try { await refresh(); } catch { /* never stop polling */ }
    setTimeout(loop, POLL_MS);
  }

  // ---------------------------------------------------------------- forms and buttons
  function openModal(which) {
    const modal = $(`#${which}-modal`);
    modal.hidden = false;
    const first = modal.querySelector("input");
    if (first) setTimeout(() => first.focus(), 0);
    if (which === "start") renderHeader();
  }
  function closeModal(which) {
    $(`#${which}-modal`).hidden = true;
    if (which === "start") renderHeader();
  }
  function showError(node, message) {
    node.textContent = message || "";
    node.hidden = !message;
  }

  function buildStartForm() {
    $("#user_count").value = TA.num_users ?? 1;
    $("#spawn_rate").value = TA.spawn_rate ?? 1;
    $("#host").value = TA.host ?? "";
    $("#run_time").value = TA.run_time ?? "";
    $("#start-subtitle").textContent = [TA.locustfile, TA.version && `SwiftLocust ${TA.version}`].filter(Boolean).join(" · ");
    if (TA.is_shape) {
      // A load shape sets the users and the rate every second (Locust hides them too).
      $("#user-fields").hidden = true;
      $("#shape-note").hidden = false;
      $("#shape-note").textContent = `The load shape ${TA.shape_name || ""} sets the users and the ramp every second.`;
    }
    buildCustomOptions();
    const classes = Array.isArray(TA.user_classes) ? TA.user_classes : [];
    if (TA.show_userclass_picker === false || !classes.length) return;
    $("#class-picker").hidden = false;
    $("#class-picker-body").replaceChildren(...classes.map((c) => {
      const id = `uc-${c.name}`;
      const tasks = (c.tasks || []).map((t) => (t.weight != null && t.weight !== 1 ? `${t.name} (${t.weight})` : t.name)).join(", ");
      return h("tr", {},
        h("td", { class: "check" }, h("input", { type: "checkbox", name: "user_classes", value: c.name, id, checked: true, onchange: syncAllBox })),
        h("td", {}, h("label", { for: id, class: "inline", text: c.name })),
        h("td", { class: "num", text: String(c.weight ?? 1) }),
        h("td", { class: "muted", text: tasks }),
        h("td", { class: "muted", text: c.host || "" }));
    }));
    $("#user_classes_all").addEventListener("change", (ev) => {
      for (const box of $$("input[name=user_classes]")) box.checked = ev.target.checked;
    });
  }

  // The scenario's own options (Locust's "Custom parameters"): a field each, named by its dest.
  function buildCustomOptions() {
    const options = TA.extra_options && typeof TA.extra_options === "object" ? Object.entries(TA.extra_options) : [];
    if (!options.length) return;
    $("#custom-options").hidden = false;
    $("#custom-options-body").replaceChildren(...options.flatMap(([name, o]) => {
      const id = `opt-${name}`;
      let input;
      if (Array.isArray(o.choices) && o.choices.length) {
        input = h("select", { id, name, class: "custom-option" }, ...o.choices.map((c) => h("option", { value: c, text: c, selected: c === o.default_value })));
      } else if (o.kind === "flag") {
        input = h("input", { id, name, type: "checkbox", class: "custom-option", checked: o.default_value === true || o.default_value === "true" });
      } else {
        input = h("input", { id, name, class: "custom-option", type: o.is_secret ? "password" : o.kind === "int" || o.kind === "double" ? "number" : "text",
          step: o.kind === "double" ? "any" : undefined, value: o.is_secret ? "" : o.default_value ?? "", spellcheck: "false" });
      }
      return [h("label", { for: id, text: o.help_text ? `${name} (${o.help_text})` : name }), input];
    }));
  }

  function syncAllBox() {
    const boxes = $$("input[name=user_classes]");
    const all = $("#user_classes_all");
    all.checked = boxes.every((b) => b.checked);
    all.indeterminate = !all.checked && boxes.some((b) => b.checked);
  }

  async function submitStart(ev) {
    ev.preventDefault();
    const error = $("#form-error");
    showError(error, "");
    const boxes = $$("input[name=user_classes]");
    const chosen = boxes.filter((b) => b.checked).map((b) => b.value);
    if (boxes.length && !chosen.length) return showError(error, "Select at least one user class.");
    const fields = [["user_count", $("#user_count").value.trim()], ["spawn_rate", $("#spawn_rate").value.trim()], ["host", $("#host").value.trim()]];
    const runTime = $("#run_time").value.trim();
    if (runTime) fields.push(["run_time", runTime]);
    for (const name of chosen) fields.push(["user_classes", name]);
    for (const input of $$(".custom-option")) {
      if (input.type === "checkbox") fields.push([input.name, input.checked ? "true" : "false"]);
      else if (!(input.type === "password" && input.value === "")) fields.push([input.name, input.value]);
    }
    await withBusy($("#start-button"), "Starting…", async () => {
      const r = await post("/swarm", fields);
      if (r.json?.success) {
        ui.last = { user_count: fields[0][1], spawn_rate: fields[1][1] };
        if (r.json.host !== undefined) ui.host = r.json.host;
        setState("spawning");
        renderHeader();
        refresh();
      } else {
        showError(error, r.json?.message || `Could not start: HTTP ${r.status} ${r.text.slice(0, 200)}`);
      }
    }, (err) => showError(error, `Could not reach the server (${err.message}).`));
  }

  function openEdit() {
    const tests = Array.from(hist.tests.values());
    const target = tests.length ? tests[tests.length - 1].target_users : null;
    $("#edit_user_count").value = target ?? ui.last.user_count ?? ui.stats?.user_count ?? 1;
    $("#edit_spawn_rate").value = ui.last.spawn_rate ?? 1;
    showError($("#edit-error"), "");
    openModal("edit");
  }

  async function submitEdit(ev) {
    ev.preventDefault();
    const error = $("#edit-error");
    showError(error, "");
    const fields = [["user_count", $("#edit_user_count").value.trim()], ["spawn_rate", $("#edit_spawn_rate").value.trim()]];
    await withBusy($("#edit-submit"), "Updating…", async () => {
      const r = await post("/swarm", fields);
      if (r.json?.success) {
        ui.last = { user_count: fields[0][1], spawn_rate: fields[1][1] };
        closeModal("edit");
        refresh();
      } else {
        showError(error, r.json?.message || `Could not update: HTTP ${r.status}`);
      }
    }, (err) => showError(error, `Could not reach the server (${err.message}).`));
  }

  // Runs work with the button disabled and relabelled; network failures go to onError, never uncaught.
  async function withBusy(button, label, work, onError = () => setOnline(false)) {
    const text = button.textContent;
    button.disabled = true;
    button.textContent = label;
    try {
      await work();
    } catch (err) {
      onError(err);
    } finally {
      button.disabled = false;
      button.textContent = text;
    }
  }

  function stopTest() {
    return withBusy($("#stop-button"), "Stopping…", async () => {
      await post("/stop");
      await refresh();
    });
  }

  function resetStats() {
    return withBusy($("#reset-button"), "Resetting…", async () => {
      await post("/stats/reset");
      ui.rendered = {};
      await refresh();
    });
  }

  // ---------------------------------------------------------------- theme
  function applyTheme(theme) {
    const dark = theme === "dark";
    document.documentElement.setAttribute("data-theme", dark ? "dark" : "light");
    const toggle = $("#theme-toggle");
    toggle.setAttribute("aria-pressed", String(dark));
    toggle.title = dark ? "Switch to light theme" : "Switch to dark theme";
    $("#view-report").href = `${BASE}/stats/report${dark ? "?theme=dark" : ""}`;
    themeCharts();
  }

  function toggleTheme() {
    const next = document.documentElement.getAttribute("data-theme") === "dark" ? "light" : "dark";
    try { localStorage.setItem(THEME_KEY, next); } catch { /* private mode: not remembered */ }
    applyTheme(next);
  }

  // ---------------------------------------------------------------- start-up
  function init() {
    document.documentElement.classList.toggle("distributed", ui.distributed);
    for (const node of $$(".distributed-only")) node.hidden = !ui.distributed;
    $("#brand-version").textContent = TA.version ? `v${TA.version}` : "";
    $("#brand").title = TA.locustfile ? `locustfile: ${TA.locustfile}` : "";
    buildStatsHead();
    buildStartForm();
    refreshPerNameOptions();
    initCharts();
    applyTheme(document.documentElement.getAttribute("data-theme"));

    for (const btn of $$(".tab")) btn.addEventListener("click", () => showTab(btn.dataset.tab));
    $("#start-form").addEventListener("submit", submitStart);
    $("#edit-form").addEventListener("submit", submitEdit);
    $("#start-close").addEventListener("click", () => closeModal("start"));
    $("#edit-close").addEventListener("click", () => closeModal("edit"));
    $("#edit-button").addEventListener("click", openEdit);
    $("#stop-button").addEventListener("click", stopTest);
    $("#new-test-button").addEventListener("click", () => { showError($("#form-error"), ""); openModal("start"); });
    $("#reset-button").addEventListener("click", resetStats);
    $("#theme-toggle").addEventListener("click", toggleTheme);
    $("#per-name-select").addEventListener("change", () => { buildPerNameChart(); updateCharts(); });
    document.addEventListener("keydown", (ev) => {
      if (ev.key !== "Escape") return;
      closeModal("edit");
      closeModal("start");
    });
    for (const modal of $$(".modal")) {
      modal.addEventListener("mousedown", (ev) => {
        if (ev.target === modal) closeModal(modal.id.replace("-modal", ""));
      });
    }

    renderHeader();
    renderStats();
    renderFailures();
    if (ui.state === "ready") openModal("start");
    showTab(location.hash.slice(1) || "stats");
    loop();
  }

  init();
})();
