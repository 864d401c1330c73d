/* 数据指标 / Figures: CONTRACT §5's figures of a period with filters (GET /reports/kpi) and the
   plots of GET /reports/series: volumes by day and hour, satisfaction and completion against the
   plan's 92 % / 97 % lines, on-time rate, no-shows, waits and service times (p50/p90) by zone,
   service, counter and staff. Re-read (debounced) when the event stream says something moved. */
(function () {
  "use strict";
  const DIMS = { zone: ["功能区", "Zone"], service: ["事项", "Service"], counter: ["窗口", "Counter"], staff: ["工作人员", "Staff"] };
  let lookups = null;
  let charts = [];
  const pct = (x) => (x === null || x === undefined ? "—" : `${(100 * x).toFixed(1)}%`);
  const secs = (x) => (x === null || x === undefined ? "—" : x);

  function loadCss(c) {
    if (!document.querySelector("link[data-figures]")) {
      document.head.append(c.el("link", { rel: "stylesheet", href: "figures.css", "data-figures": "1" }));
    }
  }

  function defaults(params, c) {
    if (!params.from && !params.to) {
      // this month so far, in the hall's calendar (not the browser's)
      params.from = `${c.fmt.month()}-01`;
      params.to = c.fmt.date();
    }
    params.by = params.by || "counter";
    return params;
  }

  function chart(c, echarts, titleZh, titleEn, option, wide) {
    const box = c.el("div", { class: "chart" });
    const card = c.card(titleZh, titleEn, box);
    if (wide) card.classList.add("wide");
    requestAnimationFrame(() => {
      const one = echarts.init(box, null, { renderer: "svg" });
      one.setOption({ animation: false, grid: { left: 48, right: 16, top: 36, bottom: 36 },
        tooltip: { trigger: "axis" }, legend: { top: 0 }, ...option });
      charts.push(one);
    });
    return card;
  }

  function line(value, zh, en, c) {
    return { silent: true, symbol: "none", lineStyle: { color: "#c62828", type: "dashed" },
      label: { formatter: `${c.t(zh, en)} ${Math.round(value * 100)}%`, position: "insideEndTop" },
      data: [{ yAxis: Math.round(value * 100) }] };
  }

  function plots(c, echarts, s) {
    const { t } = c;
    const days = s.days.map((d) => d.day.slice(5));
    const rate = (k) => s.days.map((d) => (d[k] === null ? null : +(100 * d[k]).toFixed(2)));
    const percent = { type: "value", min: (v) => Math.max(0, Math.min(90, Math.floor(v.min - 2))), max: 100,
      axisLabel: { formatter: "{value}%" } };
    const dim = s.by[s.dim] || [];
    const names = dim.map((r) => r.name);
    return [
      chart(c, echarts, "每日取号与未到", "Tickets and no-shows by day", {
        xAxis: { type: "category", data: days }, yAxis: { type: "value" },
        series: [{ name: t("取号", "Tickets"), type: "bar", data: s.days.map((d) => d.tickets) },
          { name: t("办结", "Done"), type: "bar", data: s.days.map((d) => d.done) },
          { name: t("未到", "No-shows"), type: "bar", data: s.days.map((d) => d.no_show) }] }),
      chart(c, echarts, "按时段取号", "Tickets by hour of issue", {
        xAxis: { type: "category", data: s.hours.map((h) => `${h.hour}:00`) }, yAxis: { type: "value" },
        series: [{ name: t("取号", "Tickets"), type: "bar", data: s.hours.map((h) => h.tickets) }] }),
      chart(c, echarts, "好评率与办结率", "Satisfaction and completion against the plan", {
        xAxis: { type: "category", data: days }, yAxis: percent,
        series: [{ name: t("好评率", "Satisfaction"), type: "line", data: rate("satisfaction_rate"),
          markLine: line(s.targets.satisfaction_rate, "好评率目标", "satisfaction target", c) },
        { name: t("办结率", "Completion"), type: "line", data: rate("completion_rate"),
          markLine: line(s.targets.completion_rate, "办结率目标", "completion target", c) }] }),
      chart(c, echarts, "按时办结率与超期在办", "On-time rate and overdue cases", {
        xAxis: { type: "category", data: days },
        yAxis: [percent, { type: "value", minInterval: 1, splitLine: { show: false } }],
        series: [{ name: t("按时办结率", "On time"), type: "line", data: rate("on_time_rate") },
          { name: t("超期在办", "Overdue open"), type: "bar", yAxisIndex: 1, data: s.days.map((d) => d.overdue_open) }] }),
      chart(c, echarts, `等候与办理时间(秒,对数刻度)· 按${DIMS[s.dim][0]}`,
        `Waits and service times (s, log scale) by ${DIMS[s.dim][1].toLowerCase()}`, {
        grid: { left: 150, right: 24, top: 36, bottom: 24 },
        yAxis: { type: "category", data: names, inverse: true }, xAxis: { type: "log", min: 1 },
        series: [["wait_s", "p50", "等候中位", "wait p50"], ["wait_s", "p90", "等候P90", "wait p90"],
          ["service_s", "p50", "办理中位", "service p50"], ["service_s", "p90", "办理P90", "service p90"]]
          .map(([k, p, zh, en]) => ({ name: t(zh, en), type: "bar", data: dim.map((r) => r[k][p]) })) }, true),
    ];
  }

  function stats(c, k) {
    const { t } = c;
    const below = (x, goal) => (x === null ? "" : x >= goal ? "good" : "bad");
    const onTime = (x) => (x === null ? "" : x >= 1 ? "good" : x >= 0.97 ? "warn" : "bad");
    return c.el("div", { class: "stats" },
      c.stat(t("取号", "Tickets"), k.tickets),
      c.stat(t("办结率", "Completion"), pct(k.completion_rate), below(k.completion_rate, 0.97)),
      c.stat(t("好评率", "Satisfaction"), pct(k.satisfaction_rate), below(k.satisfaction_rate, 0.92)),
      c.stat(t("按时办结率", "On time"), pct(k.on_time_rate), onTime(k.on_time_rate)),
      c.stat(t("超期在办(本期取号中)", "Overdue open (of tickets issued in the period)"), k.overdue_open, k.overdue_open ? "bad" : "good"),
      c.stat(t("未到", "No-shows"), k.no_show),
      ...(k.forwarded ? [c.stat(t("转大厅(计入办结)", "Forwarded to the hall (in Done)"), k.forwarded)] : []),
      c.stat(t("等候 中位/P90", "Wait p50/p90"), `${c.fmt.duration(k.wait_s.p50) || "—"} / ${c.fmt.duration(k.wait_s.p90) || "—"}`),
      c.stat(t("办理 中位/P90", "Service p50/p90"), `${c.fmt.duration(k.service_s.p50) || "—"} / ${c.fmt.duration(k.service_s.p90) || "—"}`));
  }


  function breakdown(c, rows, dim) {
    return c.table([
      { zh: DIMS[dim][0], en: DIMS[dim][1], fmt: (r) => (r.name === r.key ? r.key : `${r.name}`) },
      { zh: "取号", en: "Tickets", key: "tickets", num: true },
      { zh: "办结", en: "Done", fmt: (r) => (r.forwarded ? `${r.done}(转大厅 ${r.forwarded})` : `${r.done}`), num: true },
      { zh: "退件", en: "Rejected", key: "rejected", num: true },
      { zh: "未到", en: "No-shows", key: "no_show", num: true },
      { zh: "在办", en: "Open", key: "open", num: true },
      { zh: "办结率", en: "Completion", fmt: (r) => pct(r.completion_rate), num: true, cls: (r) => (r.completion_rate !== null && r.completion_rate < 0.97 ? "level-2" : "") },
      { zh: "按时办结率", en: "On time", fmt: (r) => pct(r.on_time_rate), num: true },
      { zh: "超期在办", en: "Overdue", key: "overdue_open", num: true },
      ...c.ratingColumns(dim),
      { zh: "等候中位(秒)", en: "Wait p50 (s)", fmt: (r) => secs(r.wait_s.p50), num: true },
      { zh: "等候P90(秒)", en: "Wait p90 (s)", fmt: (r) => secs(r.wait_s.p90), num: true },
      { zh: "办理中位(秒)", en: "Service p50 (s)", fmt: (r) => secs(r.service_s.p50), num: true },
      { zh: "办理P90(秒)", en: "Service p90 (s)", fmt: (r) => secs(r.service_s.p90), num: true },
    ], rows, { id: "figures-by" });
  }

  Console.page({
    id: "figures", order: 60, title: { zh: "数据指标", en: "Figures" },
    events: ["ticket.", "evaluation."],
    async render(root, c) {
      const { el, t } = c;
      loadCss(c);
      charts.forEach((x) => x.dispose());
      charts = [];
      if (!lookups) {
        const [services, hall] = await Promise.all([c.api("/services"), c.api("/hall")]);
        lookups = { services, counters: hall.counters };
      }
      const params = defaults(c.hashParams(), c);
      const flt = { from: params.from, to: params.to, zone: params.zone, service: params.service,
        counter: params.counter, staff: params.staff };
      const bar = c.filters([
        { name: "from", zh: "开始日期", en: "From", type: "date" },
        { name: "to", zh: "结束日期", en: "To", type: "date" },
        { name: "zone", zh: "功能区", en: "Zone", type: "select",
          options: [["", "全部", "all"], ...Object.entries(c.ZONES).map(([k, v]) => [k, v[0], v[1]])] },
        { name: "service", zh: "事项", en: "Service", type: "select",
          options: [["", "全部", "all"], ...lookups.services.map((s) => [s.code, s.name, s.name])] },
        { name: "counter", zh: "窗口", en: "Counter", type: "select",
          options: [["", "全部", "all"], ...lookups.counters.map((x) => [x.code, `${x.code} ${x.name}`])] },
        { name: "staff", zh: "工号", en: "Staff id" },
        { name: "by", zh: "分组", en: "Group by", type: "select",
          options: Object.entries(DIMS).map(([k, v]) => [k, v[0], v[1]]) },
      ], params, () => c.refresh());
      bar.append(c.exportLinks("figures", { ...flt, by: params.by }));  // the figures and the table below
      root.append(bar);
      let kpi, series;
      try {
        [kpi, series] = await Promise.all([c.api(`/reports/kpi${c.query(flt)}`), c.api(`/reports/series${c.query(flt)}`)]);
      } catch (err) {
        if (err.code === "offline") throw err;  // the shell says so and reads the page again
        root.append(el("p", { class: "error", id: "figures-error", "data-code": err.code || null }, c.errorText(err)));
        return;
      }
      series.dim = params.by;
      if (series.provisional_open) {
        root.append(el("p", { class: "error", id: "provisional-warning" }, t(
          `${series.provisional_open} 件在办案件的办结时限按未确认的节假日安排临时推算:请导入正式日历(provisioning calendar import)`,
          `${series.provisional_open} open case(s) have provisional deadlines: import the official calendar (provisioning calendar import)`)));
      }
      root.append(el("div", { id: "kpi" }, stats(c, kpi)));
      const echarts = await c.echarts();
      root.append(el("div", { class: "charts" }, ...plots(c, echarts, series)));
      root.append(c.card(`按${DIMS[params.by][0]}`, `By ${DIMS[params.by][1].toLowerCase()}`,
        el("div", { class: "table-wrap" }, breakdown(c, series.by[params.by] || [], params.by))));
      root.append(el("p", { class: "muted" }, t(
        `口径:期间内取号的票(按大厅营业日);筛选保留有匹配环节的票,时长只计匹配环节;中位/P90 为最近秩、整秒向下取整。更新于 ${c.fmt.datetime(kpi.as_of)}`,
        `Tickets issued on the period's business days; a filter keeps tickets with a matching stage, durations count matching stages only; percentiles by nearest rank over whole seconds. As of ${c.fmt.datetime(kpi.as_of)}`)));
    },
    leave() { charts.forEach((x) => x.dispose()); charts = []; },
  });
})();
