/* 大厅实况 / Live hall: the people waiting in the hall today and the longest wait per zone
   and service (approval's backlog is 限时办结's), counters (with what waits for each alone),
   terminals' health and their device faults of the last 24 hours; re-read whenever the event
   stream says something moved, and every 30 s. */
(function () {
  "use strict";
  let timer = null;
  const STATES = {
    serving: ["办理中", "serving"], called: ["已叫号", "called"], open: ["空闲", "open"],
    idle: ["空闲·有人等候", "idle, people waiting"], paused: ["暂停", "paused"], closed: ["未登录", "closed"],
    ok: ["正常", "ok"], problem: ["故障", "problem"], offline: ["离线", "offline"], never: ["未连接过", "never seen"],
  };
  const KINDS = { kiosk: ["自助终端", "kiosk"], bank: ["银行网点终端", "bank kiosk"], counter: ["窗口终端", "counter pad"],
    display: ["叫号屏", "display"], pad: ["评价器", "rating pad"] };
  /* "printer: paper_out" (the API's code) as 打印机缺纸 / printer: paper out */
  const DEVICES = { printer: ["打印机", "printer"], idcard: ["身份证读卡器", "ID card reader"], camera: ["扫码摄像头", "camera"],
    display: ["显示屏", "display"], pad: ["评价器", "rating pad"], scanner: ["高拍仪", "document camera"],
    link: ["终端连接", "link"] };
  const DEVICE_STATES = { paper_out: ["缺纸", "paper out"], paper_low: ["纸将用完", "paper low"], cover_open: ["仓盖未关", "cover open"],
    offline: ["离线", "offline"], error: ["故障", "error"], fault: ["故障", "fault"], jam: ["卡纸", "jam"],
    reader_fault: ["故障", "reader fault"], unplugged: ["未连接", "unplugged"], missing: ["未连接", "missing"] };
  function problem(text, tr) {
    const [device, state] = text.split(": ");
    const d = DEVICES[device] || [device, device];
    const st = DEVICE_STATES[state];
    return tr([`${d[0]}${st ? st[0] : `: ${state}`}`, `${d[1]}: ${st ? st[1] : state}`]);
  }
  Console.page({
    id: "live", order: 10, title: { zh: "大厅实况", en: "Live hall" },
    events: ["ticket.", "counter.", "terminal.", "staff.", "day.", "case."],
    async render(root, c) {
      const { el, t, tr, fmt, table, badge } = c;
      /* the faults' hours: 24 by default; 72 or 168 on a Monday morning (?hours= in the hash) */
      const SPANS = { 24: ["24 小时", "24 hours"], 72: ["3 天", "3 days"], 168: ["7 天", "7 days"] };
      const hours = ["24", "72", "168"].includes(c.hashParams().hours) ? c.hashParams().hours : "24";
      const span = SPANS[hours];
      const [live, faults] = await Promise.all([c.api("/console/live"), c.api(`/console/faults?hours=${hours}`)]);
      clearInterval(timer);
      timer = setInterval(() => { if (location.hash.startsWith("#live") || !location.hash) c.refresh(); }, 30000);
      const waiting = live.queues.reduce((n, q) => n + q.waiting, 0);
      const longest = Math.max(0, ...live.queues.map((q) => q.longest_wait_s || 0));
      const count = (s) => live.counters.filter((x) => x.state === s).length;
      const busy = live.counters.filter((x) => ["serving", "called", "open", "idle"].includes(x.state)).length;
      const broken = live.terminals.filter((x) => x.state === "problem" || x.state === "offline").length;
      root.append(el("div", { class: "stats" },
        c.stat(t("等候人数", "Waiting"), waiting),
        c.stat(t("最长等候", "Longest wait"), fmt.duration(longest), longest > 1800 ? "bad" : longest > 900 ? "warn" : ""),
        c.stat(t("开放窗口", "Counters open"), busy, "good"),
        c.stat(t("空闲但有人等", "Idle while people wait"), count("idle"), count("idle") ? "warn" : ""),
        c.stat(t("暂停窗口", "Paused"), count("paused"), count("paused") ? "warn" : ""),
        c.stat(t("终端异常", "Terminals in trouble"), broken, broken ? "bad" : "good"),
        c.stat(t(`近${span[0]}设备故障`, `Device faults, ${span[1]}`), faults.length, faults.length ? "warn" : "good"),
        c.stat(t("限时办结告警", "Deadline alerts"), live.alerts, live.alerts ? "bad" : "good")));
      const queues = table([
        { zh: "功能区", en: "Zone", fmt: (r) => tr(c.ZONES[r.zone]) },
        { zh: "事项", en: "Service", fmt: (r) => c.serviceName(r.service, r.service_name) },
        { zh: "等候", en: "Waiting", key: "waiting", num: true },
        { zh: "最长等候", en: "Longest wait", fmt: (r) => fmt.duration(r.longest_wait_s), num: true,
          cls: (r) => (r.longest_wait_s > 1800 ? "level-1" : "") },
        { zh: "开放窗口", en: "Open counters", key: "counters_open", num: true,
          cls: (r) => (r.waiting && !r.counters_open ? "level-1" : "") },
      ], live.queues, { id: "queues" });
      const counters = table([
        { zh: "窗口", en: "Counter", fmt: (r) => `${r.code} ${c.counterName(r.code, r.name)}` },
        { zh: "功能区", en: "Zone", fmt: (r) => tr(c.ZONES[r.zone]) },
        { zh: "状态", en: "State", fmt: (r) => badge(tr(STATES[r.state]), r.state) },
        { zh: "工作人员", en: "Staff", fmt: (r) => r.staff_name || r.staff || "" },
        { zh: "当前号", en: "Number", fmt: (r) => (r.number ? `${r.number} · ${fmt.time(r.since)}` : r.pause_reason || "") },
        { zh: "可叫", en: "Can call", key: "waiting", num: true },
        /* sent to this counter alone (转办) or put aside there: with nobody signed in, nobody
           works on them */
        { zh: "待本窗", en: "Held here", num: true, fmt: (r) => (r.held
          ? (r.state === "closed" ? badge(t(`${r.held} 件·无人`, `${r.held} · unstaffed`), "late") : r.held) : "") },
      ], live.counters, { id: "counters", rowClass: (r) => (r.state === "closed" && r.held ? "overdue"
        : r.state === "idle" ? "due_today" : null) });
      const terminals = table([
        { zh: "终端", en: "Terminal", key: "name" },
        { zh: "类型", en: "Kind", fmt: (r) => tr(KINDS[r.kind] || [r.kind, r.kind]) },
        { zh: "状态", en: "State", fmt: (r) => badge(tr(STATES[r.state]), r.state) },
        { zh: "设备", en: "Devices", fmt: (r) => r.problems.map((p) => problem(p, tr)).join("; ") },
        { zh: "最近心跳", en: "Last heartbeat", fmt: (r) => fmt.datetime(r.last_seen) },
      ], live.terminals, { id: "terminals", rowClass: (r) => (r.state === "offline" || r.state === "problem" ? "overdue" : null) });
      /* the night's record: what broke in the 24-hour room while nobody watched, and when it
         came back (the table above shows the terminals as they are now) */
      const lasted = (r) => (r.began_at ? fmt.duration(Math.round(((r.ended_at ? Date.parse(r.ended_at) : Date.now())
        - Date.parse(r.began_at)) / 1000)) : "");
      const history = faults.length ? table([
        { zh: "终端", en: "Terminal", fmt: (r) => (r.hall === live.hall ? r.terminal : `${r.terminal} · ${r.hall_name}`) },
        { zh: "类型", en: "Kind", fmt: (r) => tr(KINDS[r.kind] || [r.kind, r.kind]) },
        { zh: "故障", en: "Fault", fmt: (r) => problem(`${r.device}: ${r.state}`, tr)
          + (r.times > 1 ? t(`(反复 ${r.times} 次)`, ` (${r.times} times)`) : "") },
        { zh: "开始", en: "Began", fmt: (r) => (r.began_at ? fmt.datetime(r.began_at) : t(`早于${span[0]}`, `over ${span[1]} ago`)) },
        { zh: "恢复", en: "Ended", fmt: (r) => (r.ended_at ? fmt.datetime(r.ended_at) : badge(t("仍未恢复", "not yet"), "late")) },
        { zh: "持续", en: "Lasted", fmt: lasted },
      ], faults, { id: "faults", rowClass: (r) => (r.ended_at ? null : "overdue") })
        : el("p", { class: "muted" }, t(`近 ${span[0]}没有设备故障。`, `No device faults in the last ${span[1]}.`));
      const period = c.filters([{ name: "hours", zh: "时段", en: "Period", type: "select",
        options: [["24", "近 24 小时", "24 hours"], ["72", "近 3 天", "3 days"], ["168", "近 7 天", "7 days"]] }],
        { hours }, () => c.refresh());
      const head = (zh, en, name) => el("h2", {}, t(zh, en), c.exportLinks(name, {}));
      root.append(el("p", { class: "muted", id: "live-scope" }, t("等候为今天在大厅排队的人(咨询、受理、出件);后台审批件见“限时办结”。",
        "Waiting: the people queueing in the hall today (consultation, intake, pickup); cases in approval are under Deadlines.")));
      root.append(el("div", { class: "row" },
        el("section", { class: "card" }, head("各区等候", "Queues", "queues"), el("div", { class: "table-wrap" }, queues)),
        el("section", { class: "card" }, head("窗口", "Counters", "counters"), el("div", { class: "table-wrap" }, counters))),
        el("section", { class: "card" }, head("终端状态", "Terminals", "terminals"), el("div", { class: "table-wrap" }, terminals)),
        el("section", { class: "card", id: "faults-card" },
          el("h2", {}, t(`近 ${span[0]}设备故障`, `Device faults, last ${span[1]}`), c.exportLinks("faults", { hours })),
          period, el("div", { class: "table-wrap" }, history)),
        el("p", { class: "muted" }, `${t("更新于", "Updated")} ${fmt.datetime(live.at)}`));
    },
    leave() { clearInterval(timer); timer = null; },
  });
})();
