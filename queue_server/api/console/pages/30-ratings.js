/* 好差评 / Ratings: every rating with its follow-up and appeal, filtered by dates, level,
   zone, service, counter and staff member; exported with the same filters. */
(function () {
  "use strict";
  const STEPS = { verify: ["待核实", "to verify"], rectify: ["待整改", "to rectify"], reply: ["待回复", "to reply"], closed: ["已办结", "closed"] };
  const APPEALS = { open: ["申诉中", "appealed"], upheld: ["申诉成立", "appeal upheld"], rejected: ["申诉不成立", "appeal rejected"] };
  const CHANNELS = { pad: ["评价器", "pad"], kiosk: ["自助终端", "kiosk"], bank: ["银行网点", "bank"],
    web: ["手机扫码", "phone (QR code)"] };
  let lookups = null;
  Console.page({
    id: "ratings", order: 30, title: { zh: "好差评", en: "Ratings" },
    events: ["evaluation.", "followup.", "appeal."],
    async render(root, c) {
      const { el, t, tr, fmt, badge } = c;
      if (!lookups) {
        const [services, hall] = await Promise.all([c.api("/services"), c.api("/hall")]);
        lookups = { services, counters: hall.counters };
      }
      const params = c.hashParams();
      if (!params.from && !params.to) {  // by default the last 30 days, not the hall's whole history
        params.from = fmt.date(new Date(Date.now() - 30 * 86400000));
      }
      const filter = { from: params.from, to: params.to, level: params.level === "bad" ? ["1", "2"] : params.level,
        zone: params.zone, service: params.service, counter: params.counter, staff: params.staff };
      const levels = [["", "全部", "all"], ["bad", "差评(1–2)", "bad (1–2)"],
        ...[5, 4, 3, 2, 1].map((l) => [String(l), `${l} ${c.LEVELS[l][0]}`, `${l} ${c.LEVELS[l][1]}`])];
      const bar = c.filters([
        { name: "from", zh: "开始日期", en: "From", type: "date" },
        { name: "to", zh: "结束日期", en: "To", type: "date" },
        { name: "level", zh: "评价", en: "Level", type: "select", options: levels },
        { name: "zone", zh: "功能区", en: "Zone", type: "select",
          options: [["", "全部", "all"], ...Object.entries(c.ZONES).map(([k, v]) => [k, v[0], v[1]])] },
        { name: "service", zh: "事项", en: "Service", type: "select",
          options: [["", "全部", "all"], ...lookups.services.map((s) => [s.code, s.name, s.name_en || s.name])] },
        { name: "counter", zh: "窗口", en: "Counter", type: "select",
          options: [["", "全部", "all"], ...lookups.counters.map((x) => [x.code, `${x.code} ${x.name}`, `${x.code} ${x.name_en || x.name}`])] },
        { name: "staff", zh: "工号", en: "Staff id" },
      ], params, () => c.refresh());
      bar.append(c.exportLinks("ratings", filter));
      let rows;
      try {
        rows = await c.api(`/ratings${c.query(filter)}`);
      } catch (err) {
        // a bad period: the filters stay, the error beside them (as on 数据指标)
        if (err.code === "offline") throw err;  // the shell says so and reads the page again
        root.append(bar, el("p", { class: "error", id: "ratings-error", "data-code": err.code || null }, c.errorText(err)));
        return;
      }
      const bad = rows.filter((r) => r.level <= 2).length;
      root.append(el("div", { class: "stats" },
        c.stat(t("评价数", "Ratings"), rows.length),
        c.stat(t("好评率", "Satisfaction"), rows.length ? `${(100 * (rows.length - bad) / rows.length).toFixed(1)}%` : "—",
          rows.length && (rows.length - bad) / rows.length < 0.92 ? "bad" : "good"),
        c.stat(t("差评", "Bad ratings"), bad, bad ? "warn" : ""),
        c.stat(t("回访逾期", "Late follow-ups"), rows.filter((r) => r.followup_late).length,
          rows.some((r) => r.followup_late) ? "bad" : "good")));
      root.append(bar, el("div", { class: "table-wrap" }, c.table([
        { zh: "评价时间", en: "Rated at", fmt: (r) => fmt.datetime(r.rated_at) },
        { zh: "号码", en: "Number", key: "number" },
        { zh: "事项", en: "Service", fmt: (r) => c.serviceName(r.service, r.service_name) },
        { zh: "功能区", en: "Zone", fmt: (r) => tr(c.ZONES[r.zone]) },
        { zh: "窗口", en: "Counter", fmt: (r) => (r.counter ? `${r.counter} ${c.counterName(r.counter, "")}`.trim() : "") },
        { zh: "工作人员", en: "Staff", fmt: (r) => (r.staff ? `${r.staff_name || ""} ${r.staff}` : "") },
        { zh: "渠道", en: "Channel", fmt: (r) => tr(CHANNELS[r.channel]) },
        { zh: "评价", en: "Level", fmt: (r) => `${r.level} ${tr(c.LEVELS[r.level])}`, cls: (r) => `level-${r.level}` },
        /* each reason whole on its line: the cell wraps only between them */
        { zh: "原因", en: "Reasons", wrap: true, fmt: (r) => (r.reasons.length ? el("span", {}, r.reasons.flatMap((x, i) => [
          i ? t("、", ", ") : null, el("span", { class: "reason" }, tr(c.REASONS[x] || [x, x]))])) : "") },
        { zh: "意见", en: "Comment", key: "comment", wrap: true },
        { zh: "回访", en: "Follow-up", fmt: (r) => (r.followup_step ? badge(tr(STEPS[r.followup_step]) + (r.followup_late ? t("·逾期", " · late") : ""),
          r.followup_late ? "late" : r.followup_step === "closed" ? "closed" : "warn") : "") },
        { zh: "申诉", en: "Appeal", fmt: (r) => (r.appeal ? badge(tr(APPEALS[r.appeal]), r.appeal === "upheld" ? "ok" : "warn") : "") },
      ], rows, { id: "ratings", fit: true, rowClass: (r) => (r.followup_late ? "late" : null) })));
    },
  });
})();
