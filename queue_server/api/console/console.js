/* The console shell: login, navigation, languages (Chinese first, English), the API client
   (cookie + CSRF header), the live event stream, and small builders the pages share (tables,
   filters, export links, formats). Pages register with Console.page({...}); see README.md. */
(function () {
  "use strict";
  const S = {
    lang: localStorage.getItem("kb.lang") === "en" ? "en" : "zh",
    me: null, csrf: null, pages: [], current: null, source: null,
    listeners: new Set(), refreshTimer: null, alerts: [], dismissed: new Set(), alertsTimer: null,
    offline: false, probe: null, stale: false, parked: null,
    editedFilters: {},  // page id -> a toolbar's fields changed and not yet applied
    names: { hall: null, services: {}, counters: {}, countersZh: {} },  // the hall's English names (name_en); its counters' Chinese
  };
  const OFFLINE = ["无法连接服务器，正在重试…", "Cannot reach the server, retrying…"];
  const EXPIRED = ["登录已过期，请重新登录", "Session expired, please log in again"];

  /* ---- DOM and text ---------------------------------------------------------------- */
  function el(tag, attrs, ...children) {
    const node = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs || {})) {
      if (v === null || v === undefined || v === false) continue;
      if (k.startsWith("on") && typeof v === "function") node.addEventListener(k.slice(2), v);
      else if (k === "class") node.className = v;
      else if (k === "text") node.textContent = v;
      else node.setAttribute(k, v === true ? "" : String(v));
    }
    for (const child of children.flat()) {
      if (child === null || child === undefined || child === false) continue;
      node.append(child instanceof Node ? child : document.createTextNode(String(child)));
    }
    return node;
  }
  const t = (zh, en) => (S.lang === "en" && en !== undefined ? en : zh);
  /* A service's, counter's or the hall's name in the language shown: in English the hall's
     name_en where it gives one (GET /hall, /services), else the Chinese name. */
  const serviceName = (code, zh) => t(zh ?? code ?? "", S.names.services[code] || (zh ?? code ?? ""));
  // `zh` undefined: the counter's Chinese name from /hall (its code until that is read)
  const counterName = (code, zh) => {
    const own = zh === undefined ? (S.names.countersZh[code] ?? code) : zh;
    return t(own ?? code ?? "", S.names.counters[code] || (own ?? code ?? ""));
  };
  const hallName = () => (S.me ? t(S.me.hall_name, S.names.hall || S.me.hall_name) : "");
  async function readNames() {
    try {
      const [hall, services] = await Promise.all([api("/hall", { quiet: true }), api("/services", { quiet: true })]);
      S.names = { hall: hall.name_en || null,
        services: Object.fromEntries(services.filter((x) => x.name_en).map((x) => [x.code, x.name_en])),
        counters: Object.fromEntries((hall.counters || []).filter((x) => x.name_en).map((x) => [x.code, x.name_en])),
        countersZh: Object.fromEntries((hall.counters || []).map((x) => [x.code, x.name])) };
    } catch (e) { return; }  // the Chinese names meanwhile
    document.getElementById("hall-name").textContent = hallName();
    if (S.lang === "en") { renderAlerts(); render(); }
  }
  const tr = (pair) => (pair ? (Array.isArray(pair) ? t(pair[0], pair[1]) : t(pair.zh, pair.en)) : "");

  function translateStatic(root) {
    root.querySelectorAll("[data-zh]").forEach((n) => {
      n.textContent = S.lang === "en" ? n.dataset.en : n.dataset.zh;
    });
    document.documentElement.lang = S.lang === "en" ? "en" : "zh-CN";
  }

  /* ---- formats --------------------------------------------------------------------- */
  /* Times and days are the hall's (its time zone, from /console/me), never the browser's: a
     PC in the hall may be set to another zone. */
  const zone = () => (S.me && S.me.timezone) || "Asia/Shanghai";
  let partsFormat = null;
  function parts(d) {
    if (!partsFormat || partsFormat.resolvedOptions().timeZone !== zone()) {
      partsFormat = new Intl.DateTimeFormat("en-CA", { timeZone: zone(), year: "numeric", month: "2-digit",
        day: "2-digit", hour: "2-digit", minute: "2-digit", hourCycle: "h23" });
    }
    const out = {};
    for (const p of partsFormat.formatToParts(d)) out[p.type] = p.value;
    return out;
  }
  const fmt = {
    time(iso) { if (!iso) return ""; const p = parts(new Date(iso)); return `${p.hour}:${p.minute}`; },
    datetime(iso) {
      if (!iso) return "";
      const p = parts(new Date(iso));
      return `${p.year}-${p.month}-${p.day} ${p.hour}:${p.minute}`;
    },
    /* the hall's calendar day (YYYY-MM-DD) and month (YYYY-MM) at the moment `d` (default now) */
    date(d) { const p = parts(d || new Date()); return `${p.year}-${p.month}-${p.day}`; },
    month(d) { const p = parts(d || new Date()); return `${p.year}-${p.month}`; },
    duration(s) {
      if (s === null || s === undefined) return "";
      s = Math.max(0, Math.round(s));
      if (s < 60) return t(`${s}秒`, `${s} s`);
      const m = Math.floor(s / 60);
      if (m < 60) return t(`${m}分钟`, `${m} min`);
      const h = Math.floor(m / 60);
      if (h < 48) return t(`${h}小时${m % 60}分`, `${h} h ${m % 60} min`);
      return t(`${Math.floor(h / 24)}天${h % 24}小时`, `${Math.floor(h / 24)} d ${h % 24} h`);
    },
  };
  const LEVELS = { 5: ["非常满意", "Very satisfied"], 4: ["满意", "Satisfied"], 3: ["基本满意", "Fairly satisfied"],
    2: ["不满意", "Dissatisfied"], 1: ["非常不满意", "Very dissatisfied"] };
  const ZONES = { consult: ["综合咨询导办", "Consultation"], intake: ["一窗受理", "Intake"],
    approval: ["后台审批", "Approval"], pickup: ["出件", "Pickup"] };
  const REASONS = { slow: ["办理时间长", "Took too long"], attitude: ["服务态度差", "Unfriendly"],
    unclear: ["告知不清楚", "Unclear"], repeat: ["多次跑腿", "Came back again"], wait: ["排队时间长", "Long wait"],
    other: ["其他", "Other"] };

  /* ---- API ------------------------------------------------------------------------- */
  class ApiError extends Error {
    constructor(status, code, message) { super(message); this.status = status; this.code = code; }
  }
  async function api(path, opts = {}) {
    const method = opts.method || "GET";
    const headers = { Accept: "application/json" };
    if (opts.body !== undefined) headers["Content-Type"] = "application/json";
    if (method !== "GET" && S.csrf) headers["X-CSRF-Token"] = S.csrf;
    let resp;
    try {
      resp = await fetch(`/api/v1${path}`, {
        method, headers, credentials: "same-origin",
        body: opts.body === undefined ? undefined : JSON.stringify(opts.body),
      });
    } catch (e) {  // no answer at all (the browser's "Failed to fetch"): say so, and retry
      lost();
      throw new ApiError(0, "offline", OFFLINE.join(" / "));
    }
    if (resp.status === 204) return null;
    const data = await resp.json().catch(() => null);
    if (!resp.ok) {
      const err = (data && data.error) || { code: "http_" + resp.status, message: resp.statusText };
      if (resp.status === 401 && !opts.quiet) {  // the session ended: log in again, nothing lost
        showLogin(true);
        throw new ApiError(401, "session_expired", EXPIRED.join(" / "));
      }
      throw new ApiError(resp.status, err.code, err.message);
    }
    return data;
  }
  function query(params) {
    const q = new URLSearchParams();
    for (const [k, v] of Object.entries(params || {})) {
      if (v === null || v === undefined || v === "") continue;
      if (Array.isArray(v)) v.forEach((x) => q.append(k, x)); else q.set(k, v);
    }
    const s = q.toString();
    return s ? `?${s}` : "";
  }
  /* ---- the server out of reach ------------------------------------------------------ */
  /* A banner, a probe of /health every few seconds, and the page read again once the server
     answers (or the live stream comes back), if it showed an error meanwhile. */
  function lost() {
    S.offline = true;
    document.getElementById("offline").hidden = false;
    if (!S.probe) S.probe = setTimeout(probe, 2000);
  }
  async function probe() {
    try {
      const resp = await fetch("/api/v1/health", { cache: "no-store" });
      if (resp.status >= 500) throw new Error("not yet");
    } catch (e) {
      S.probe = setTimeout(probe, 3000);
      return;
    }
    S.probe = null;
    back();
  }
  async function back() {
    if (!S.offline) return;
    S.offline = false;
    document.getElementById("offline").hidden = true;
    document.querySelectorAll("[data-code=offline]").forEach((n) => { n.hidden = true; });
    if (!S.me) { boot(); return; }
    if (!S.source) {  // the stream was refused: is the session still open? (asked without a 401)
      let state;
      try { state = await api("/console/session", { quiet: true }); } catch (e) {
        if (e.status === 401) showLogin(true);
        return;
      }
      if (!state || !state.signed_in) { showLogin(true); return; }
      connect();
    }
    if (S.stale) render();
  }
  function errorText(err) {
    const msg = err && err.message ? err.message : String(err);
    const parts = msg.split(" / ");
    return parts.length === 2 ? t(parts[0], parts[1]) : msg;
  }

  /* ---- shared builders ------------------------------------------------------------- */
  /* columns: [{key, zh, en, fmt(row) -> text|Node, cls(row) -> class, wrap}]; opts.fit: no
     cell breaks its text but those of `wrap` columns (prose: a comment), which wrap between
     words (a table wider than the page scrolls sideways in its .table-wrap) */
  function table(columns, rows, opts = {}) {
    const head = el("tr", {}, columns.map((c) => el("th", { class: c.num ? "num" : null }, t(c.zh, c.en))));
    const body = rows.length
      ? rows.map((row) => el("tr", { class: opts.rowClass ? opts.rowClass(row) : null, "data-id": row.id ?? row.ticket ?? null },
        columns.map((c) => {
          let value = c.fmt ? c.fmt(row) : row[c.key];
          if (c.wrap && opts.fit && value !== null && value !== undefined && value !== "") value = el("div", { class: "cell-wrap" }, value);
          return el("td", { class: [c.num ? "num" : "", c.wrap ? "wrap" : "", c.cls ? c.cls(row) || "" : ""].join(" ").trim() || null }, value ?? "");
        })))
      : [el("tr", {}, el("td", { colspan: columns.length, class: "empty" }, t("暂无数据", "Nothing here")))];
    return el("table", { class: opts.fit ? "grid fit" : "grid", id: opts.id || null }, el("thead", {}, head), el("tbody", {}, body));
  }
  function exportLinks(name, params) {
    const q = (format) => `/api/v1/export/${name}${query({ ...params, format })}`;
    return el("span", { class: "exports" }, t("导出", "Export"), " ",
      el("a", { href: q("csv"), download: "", class: "btn small", "data-export": "csv" }, "CSV"), " ",
      el("a", { href: q("xlsx"), download: "", class: "btn small", "data-export": "xlsx" }, "XLSX"));
  }
  function card(titleZh, titleEn, ...children) {
    return el("section", { class: "card" }, el("h2", {}, t(titleZh, titleEn)), ...children);
  }
  function stat(label, value, cls) {
    return el("div", { class: `stat ${cls || ""}` }, el("div", { class: "stat-value" }, value), el("div", { class: "stat-label" }, label));
  }
  function select(name, options, value, onchange) {
    return el("select", { name, onchange }, options.map(([v, label]) => el("option", { value: v, selected: v === value ? true : null }, label)));
  }
  /* The 评价/好评率 columns of a breakdown by `dim`: a window's or person's are the ratings of
     the stages they handled (v1.2 own_*), as the 好差评 ledger filtered by them lists; a zone's,
     service's or the hall's those of its tickets (CONTRACT §5). */
  const OWN = { counter: ["本窗口", "this counter's"], staff: ["本人", "own"] };
  function ratingColumns(dim) {
    const own = OWN[dim];
    const n = own ? "own_ratings" : "ratings";
    const rate = own ? "own_satisfaction_rate" : "satisfaction_rate";
    const pct = (x) => (x === null || x === undefined ? "—" : `${(100 * x).toFixed(1)}%`);
    return [
      { zh: own ? `${own[0]}评价` : "评价", en: own ? `Ratings (${own[1]})` : "Ratings", key: n, num: true },
      { zh: own ? `${own[0]}好评率` : "好评率", en: own ? `Satisfaction (${own[1]})` : "Satisfaction", fmt: (r) => pct(r[rate]), num: true,
        cls: (r) => (r[rate] !== null && r[rate] !== undefined && r[rate] < 0.92 ? "level-2" : "") },
    ];
  }
  function badge(text, cls) { return el("span", { class: `badge ${cls || ""}` }, text); }
  /* A modal form. fields: [{name, zh, en, type: "textarea"|"text"|"date"|"select"|"choice",
     options: [[value, zh, en]], required}]; resolves with the values, or null when cancelled. */
  function dialog(spec) {
    return new Promise((resolve) => {
      const inputs = {};
      const rows = spec.fields.map((f) => {
        let input;
        if (f.type === "choice") {
          input = el("div", { class: "choice" }, f.options.map(([v, zh, en], i) => el("label", {},
            el("input", { type: "radio", name: f.name, value: v, checked: i === 0 ? true : null }), " ", t(zh, en))));
        } else if (f.type === "select") {
          input = el("select", { name: f.name }, f.options.map(([v, zh, en]) => el("option", { value: v }, t(zh, en))));
        } else {
          input = el(f.type === "textarea" ? "textarea" : "input", { name: f.name, type: f.type === "textarea" ? null : (f.type || "text"),
            required: f.required ? true : null, maxlength: 1000 });
        }
        inputs[f.name] = input;
        return el("label", {}, el("span", {}, t(f.zh, f.en)), input);
      });
      const error = el("p", { class: "error", hidden: true });
      const form = el("form", { class: "form", method: "dialog" },
        el("h2", {}, tr(spec.title)), spec.intro ? el("p", { class: "muted" }, tr(spec.intro)) : null, rows, error,
        el("div", { class: "actions" },
          el("button", { type: "submit", value: "ok" }, tr(spec.submit || ["确定", "OK"])),
          el("button", { type: "button", class: "secondary", onclick: () => box.close() }, t("取消", "Cancel"))));
      const box = el("dialog", {}, form);
      /* However it closes (取消, Escape, sent) it leaves the page and the promise settles; a
         form put aside while the login shows (S.parked) stays for after it. */
      box.addEventListener("close", () => {
        if (S.parked === box) return;
        box.remove();
        resolve(null);  // no-op once resolved with the values
      });
      form.addEventListener("submit", async (event) => {
        event.preventDefault();
        const values = {};
        for (const f of spec.fields) {
          values[f.name] = f.type === "choice" ? form.querySelector(`input[name="${f.name}"]:checked`).value : inputs[f.name].value.trim();
        }
        try {
          if (spec.send) await spec.send(values);
          resolve(values); box.close();
        } catch (err) { error.textContent = errorText(err); error.dataset.code = err.code || ""; error.hidden = false; }
      });
      document.body.append(box);
      box.showModal();
    });
  }
  /* A toolbar of filters; fields: [{name, zh, en, type: "date"|"select", options}]; values
     are kept in the page's URL hash (#page?k=v) so a reload or a link keeps them. What was
     changed in it and not applied yet survives the page's refresh on an event (a level
     chosen just before an event came was put back to "all", and 筛选 then applied that). */
  function filters(fields, values, onApply) {
    const inputs = {};
    const id = (location.hash || "#").slice(1).split("?")[0];
    const edited = S.editedFilters[id] || {};
    const shown = (name) => String((name in edited ? edited[name] : values[name]) ?? "");
    const bar = el("form", { class: "toolbar", onsubmit: (e) => { e.preventDefault(); apply(); } },
      fields.map((f) => {
        const input = f.type === "select"
          ? el("select", { name: f.name }, f.options.map(([v, zh, en]) => el("option", { value: v, selected: shown(f.name) === v ? true : null }, t(zh, en ?? zh))))
          : el("input", { name: f.name, type: f.type || "text", value: shown(f.name) });
        input.addEventListener("change", () => {
          (S.editedFilters[id] = S.editedFilters[id] || {})[f.name] = input.value;
        });
        inputs[f.name] = input;
        return el("label", {}, t(f.zh, f.en), input);
      }),
      el("button", { type: "submit" }, t("筛选", "Filter")));
    function apply() {
      const next = {};
      for (const [k, input] of Object.entries(inputs)) if (input.value) next[k] = input.value;
      delete S.editedFilters[id];
      history.replaceState(null, "", `#${id}${query(next)}`);
      onApply(next);
    }
    return bar;
  }
  function hashParams() {
    const q = (location.hash || "").split("?")[1] || "";
    return Object.fromEntries(new URLSearchParams(q));
  }
  let echartsLoading = null;
  function echarts() {
    if (window.echarts) return Promise.resolve(window.echarts);
    if (!echartsLoading) {
      echartsLoading = new Promise((resolve, reject) => {
        const s = el("script", { src: "vendor/echarts/echarts.min.js" });
        s.onload = () => resolve(window.echarts);
        s.onerror = () => reject(new Error("echarts"));
        document.head.append(s);
      });
    }
    return echartsLoading;
  }

  /* ---- pages and navigation -------------------------------------------------------- */
  function page(def) {
    S.pages = S.pages.filter((p) => p.id !== def.id).concat([def]);
    S.pages.sort((a, b) => (a.order || 0) - (b.order || 0));
    if (S.me) { renderNav(); if (!S.current || S.current.id === def.id) route(); }
  }
  function renderNav() {
    const nav = document.getElementById("nav");
    nav.replaceChildren(...S.pages.map((p) => el("a", {
      href: `#${p.id}`, class: S.current && S.current.id === p.id ? "active" : null, "data-page": p.id,
    }, tr(p.title))));
  }
  let renderSeq = 0;
  async function render() {
    const p = S.current;
    if (!p) return;
    const main = document.getElementById("page");
    const seq = ++renderSeq;
    const body = el("div", { class: "page-body" });
    try {
      await p.render(body, ctx);
      if (seq !== renderSeq) return;
      main.replaceChildren(el("h1", { class: "page-title" }, tr(p.title)), body);
    } catch (err) {
      if (seq !== renderSeq) return;
      S.stale = true;  // read again when the server or the live stream is back
      main.replaceChildren(el("h1", { class: "page-title" }, tr(p.title)),
        el("p", { class: "error", role: "alert", "data-code": err.code || null }, errorText(err)));
      return;
    }
    if (seq === renderSeq) S.stale = false;
  }
  function route() {
    const id = (location.hash || "").replace(/^#/, "").split("?")[0];
    const next = S.pages.find((p) => p.id === id) || S.pages[0];
    if (!next) return;
    if (S.current && S.current !== next && S.current.leave) S.current.leave();
    if (S.current !== next) S.editedFilters = {};  // another page: its toolbar as its link says
    S.current = next;
    renderNav();
    render();
  }
  /* A page refreshes itself when an event of a kind it lists comes: at most once a second
     however busy the hall, and not while someone is typing in one of its filters or a form. */
  function refreshSoon(delay = 1000) {
    if (S.refreshTimer) return;
    S.refreshTimer = setTimeout(() => {
      S.refreshTimer = null;
      const active = document.activeElement;
      if (document.querySelector("dialog[open]") ||
          (active && active.closest("#page") && /^(INPUT|SELECT|TEXTAREA)$/.test(active.tagName))) {
        refreshSoon(2000);
        return;
      }
      render();
    }, delay);
  }

  /* ---- the live event stream ------------------------------------------------------- */
  function connect() {
    if (S.source) S.source.close();
    const dot = document.getElementById("live-dot");
    const src = new EventSource("/api/v1/events?since=today", { withCredentials: true });
    S.source = src;
    src.onopen = () => {
      dot.className = "dot on"; dot.title = t("实时连接", "live");
      if (S.offline) back(); else if (S.stale) render();  // the page showed an error: read it again
    };
    src.onerror = () => {
      dot.className = "dot off"; dot.title = t("连接中断,重连中", "reconnecting");
      if (S.source !== src) return;
      // The browser retries a dropped stream by itself; one it gave up on (an error answer:
      // the session ended, or the server restarting) is opened again once the server answers.
      if (src.readyState === 2) { S.source = null; setTimeout(reopen, 2000); } else checkServer();
    };
    src.onmessage = (msg) => {
      let ev;
      try { ev = JSON.parse(msg.data); } catch (e) { return; }
      S.listeners.forEach((fn) => fn(ev));
      if (touchesCases(ev)) readAlertsSoon();
      const p = S.current;
      if (p && p.events && p.events.some((prefix) => ev.type.startsWith(prefix))) refreshSoon();
    };
  }
  async function checkServer() {
    try { await fetch("/api/v1/health", { cache: "no-store" }); } catch (e) { lost(); }
  }
  async function reopen() {  // a stream the browser gave up on: see why, then open it again
    if (S.source || !S.me) return;
    try {
      const resp = await fetch("/api/v1/health", { cache: "no-store" });
      if (resp.status >= 500) throw new Error("not yet");
    } catch (e) { lost(); return; }
    S.offline = true;  // back() checks the session, reconnects and reads a failed page again
    back();
  }
  function on(fn) { S.listeners.add(fn); return () => S.listeners.delete(fn); }

  /* ---- 限时办结 alerts ------------------------------------------------------------- */
  /* The banner lists the approval cases overdue or due today as the server has them now
     (GET /cases), the cases the live page's 限时办结告警 counts; those due soon are on 限时办结.
     Read at login and on a reload, and again (once a second at most) after an event that may
     have changed one: a case.alert, any event of the approval zone (a case taken, finished,
     sent back), a deadline moved, the day turning, or an event about a case shown. A case that
     ended or left approval is gone with that read, never kept from an old event. "dismiss"
     hides the alerts shown until a case's state changes. */
  const ALERTING = ["overdue", "due_today"];
  function touchesCases(ev) {
    return ev.type.startsWith("case.") || ev.zone === "approval" || ev.type === "day.rolled" ||
      ev.type === "ticket.deadline_changed" || S.alerts.some((a) => a.ticket === ev.ticket);
  }
  function readAlertsSoon() {
    if (S.alertsTimer) return;
    S.alertsTimer = setTimeout(() => { S.alertsTimer = null; readAlerts(); }, 1000);
  }
  async function readAlerts() {
    if (!S.me) return;
    let rows;
    try { rows = await api("/cases", { quiet: true }); } catch (e) { return; }  // kept until the next read
    S.alerts = rows.filter((r) => ALERTING.includes(r.state));
    renderAlerts();
  }
  const alertKey = (a) => `${a.ticket}:${a.state}`;
  /* A case's number with the day it entered approval: numbers start again every day, so
     "A001" alone may be two cases. */
  const caseNumber = (r) => (r.entered_at ? `${r.number}(${fmt.date(new Date(r.entered_at)).slice(5)})` : r.number);
  function renderAlerts() {
    const box = document.getElementById("alerts");
    const shown = S.alerts.filter((a) => !S.dismissed.has(alertKey(a)));
    box.hidden = shown.length === 0;
    const kinds = { overdue: ["已超期", "overdue"], due_today: ["今日到期", "due today"] };
    const more = shown.length > 5 ? el("span", { class: "alert" }, t(`等 ${shown.length} 件`, `${shown.length} in all`)) : null;
    const dismiss = shown.length ? el("button", { class: "link", onclick: () => {
      shown.forEach((a) => S.dismissed.add(alertKey(a))); renderAlerts(); } }, t("关闭", "dismiss")) : null;
    box.replaceChildren(...shown.slice(0, 5).map((a) => el("div", { class: `alert ${a.state}`, "data-ticket": a.ticket },
      `${t("限时办结", "Deadline")}: ${caseNumber(a)} ${tr(kinds[a.state] || [a.state, a.state])}`,
      a.counter ? ` · ${counterName(a.counter, a.counter)}` : "", " ",
      el("a", { href: "#cases" }, t("查看", "view")))), ...[more, dismiss].filter(Boolean));
  }

  /* ---- login ----------------------------------------------------------------------- */
  /* `expired`: the session ended under the supervisor's hands. A form open then (a follow-up
     note being typed) is put aside with what was typed and opened again after the login. */
  function showLogin(expired) {
    if (S.source) { S.source.close(); S.source = null; }
    const open = document.querySelector("dialog[open]");
    if (open) { if (expired) S.parked = open; open.close(); }
    S.me = null; S.csrf = null; S.alerts = []; S.dismissed.clear();
    renderAlerts();
    document.getElementById("app").hidden = true;
    document.getElementById("login").hidden = false;
    const err = document.getElementById("login-error");
    if (expired) {
      err.textContent = tr(EXPIRED);
      err.dataset.code = "session_expired";
      err.hidden = false;
    }
    document.getElementById("login-staff").focus();
  }
  function showApp(me) {
    S.me = me; S.csrf = me.csrf;
    document.getElementById("login").hidden = true;
    document.getElementById("login-error").hidden = true;
    document.getElementById("app").hidden = false;
    document.getElementById("hall-name").textContent = hallName();
    S.namesRead = readNames();  // a page that names counters in Chinese waits for it
    document.getElementById("who-name").textContent = `${me.staff_name || me.staff || ""} · ${roleName(me.role)}`;
    connect();
    route();
    readAlerts();
    const parked = S.parked;
    S.parked = null;
    if (parked && parked.isConnected) {
      const note = parked.querySelector("p.error");
      if (note) { note.textContent = t("已重新登录,请再次提交", "Logged in again: submit again"); note.hidden = false; }
      parked.showModal();
    }
  }
  const roleName = (role) => ({ supervisor: t("值班长", "supervisor"), admin: t("管理员", "administrator") }[role] || role);

  async function submitLogin(event) {
    event.preventDefault();
    const err = document.getElementById("login-error");
    const button = document.getElementById("login-submit");
    err.hidden = true;
    button.disabled = true;
    const hall = document.getElementById("login-hall").value.trim();
    try {
      const me = await api("/console/login", { method: "POST", quiet: true, body: {
        staff: document.getElementById("login-staff").value.trim(),
        pin: document.getElementById("login-pin").value, ...(hall ? { hall } : {}) } });
      document.getElementById("login-pin").value = "";
      if (hall) localStorage.setItem("kb.hall", hall); else localStorage.removeItem("kb.hall");
      showApp(me);
    } catch (e) {
      err.textContent = errorText(e);
      if (e.code === "hall_needed") openHall();  // a server of several halls: which one
      else if (hall && e.code === "bad_credentials") err.textContent += t("(请同时核对大厅编号)", " (check the hall id too)");
      err.dataset.code = e.code || "";
      err.hidden = false;
    } finally {
      button.disabled = false;
    }
  }
  /* The hall to log in to: the server's own by default; a bank branch's (an outpost) or, on a
     server of several halls, one of them by its id, typed, or given in the address
     (/console/?hall=ID), or the one used last on this browser. No endpoint lists the halls:
     the login does not say which exist. */
  function openHall(value) {
    const box = document.getElementById("login-hall-box");
    const input = document.getElementById("login-hall");
    if (value) input.value = value;
    box.open = true;
    if (!value) input.focus();
  }
  function presetHall() {
    const asked = new URLSearchParams(location.search).get("hall") || localStorage.getItem("kb.hall");
    if (asked) openHall(asked);
  }
  async function logout() {
    try { await api("/console/logout", { method: "POST", quiet: true }); } catch (e) { /* gone anyway */ }
    showLogin();
  }
  function switchLang() {
    S.lang = S.lang === "zh" ? "en" : "zh";
    localStorage.setItem("kb.lang", S.lang);
    translateStatic(document);
    if (S.me) { document.getElementById("hall-name").textContent = hallName(); document.getElementById("who-name").textContent = `${S.me.staff_name || S.me.staff || ""} · ${roleName(S.me.role)}`; renderNav(); renderAlerts(); render(); }
  }

  const ctx = { el, t, tr, api, query, fmt, table, exportLinks, card, stat, select, badge, echarts, on, ratingColumns,
    dialog, filters, hashParams, serviceName, counterName, caseNumber,
    namesRead: () => S.namesRead,
    refresh: render, errorText, LEVELS, ZONES, REASONS, get me() { return S.me; }, get lang() { return S.lang; } };
  window.Console = { page, ctx, ApiError };

  document.addEventListener("DOMContentLoaded", async () => {
    translateStatic(document);
    document.getElementById("login-form").addEventListener("submit", submitLogin);
    presetHall();
    document.getElementById("logout").addEventListener("click", logout);
    document.querySelectorAll(".lang-switch").forEach((b) => b.addEventListener("click", switchLang));
    window.addEventListener("hashchange", route);
    boot();
  });
  /* Is a session open? /console/session answers 200 either way (no 401 logged in the
     browser's console or the server's log before anyone has signed in). */
  async function boot() {
    let state = null;
    try { state = await api("/console/session", { quiet: true }); } catch (e) { state = null; }
    if (state && state.signed_in && state.me) showApp(state.me); else showLogin();
  }
})();
