/* 月通报 / Monthly bulletin: §5's figures of a month for the hall and per zone, service, counter
   and staff member, the 红星岗 / 微笑之星 candidates with their rule (GET /reports/bulletin);
   printable (the print stylesheet leaves out the console's chrome), and as XLSX, PDF or CSV. */
(function () {
  "use strict";
  const pct = (x) => (x === null || x === undefined ? "—" : `${(100 * x).toFixed(1)}%`);
  const SECTIONS = [["zone", "区域", "Zone"], ["service", "事项", "Service"], ["counter", "窗口", "Counter"], ["staff", "工作人员", "Staff"]];

  function columns(c, zh, en, dim) {
    const v = (k, p) => (r) => (r[k][p] ?? "—");
    return [
      { zh, en, fmt: (r) => r.name },
      { zh: "取号", en: "Tickets", key: "tickets", num: true }, { zh: "办结", en: "Done", key: "done", num: true },
      { zh: "退件", en: "Rejected", key: "rejected", num: true }, { zh: "未到", en: "No-shows", key: "no_show", num: true },
      { zh: "在办", en: "Open", key: "open", num: true },
      { zh: "办结率", en: "Completion", fmt: (r) => pct(r.completion_rate), num: true, cls: (r) => (r.completion_rate !== null && r.completion_rate < 0.97 ? "level-2" : "") },
      { zh: "按时办结率", en: "On time", fmt: (r) => pct(r.on_time_rate), num: true },
      { zh: "超期在办", en: "Overdue", key: "overdue_open", num: true },
      ...c.ratingColumns(dim),
      { zh: "等候中位(秒)", en: "Wait p50 (s)", fmt: v("wait_s", "p50"), num: true }, { zh: "等候P90(秒)", en: "Wait p90 (s)", fmt: v("wait_s", "p90"), num: true },
      { zh: "办理中位(秒)", en: "Service p50 (s)", fmt: v("service_s", "p50"), num: true }, { zh: "办理P90(秒)", en: "Service p90 (s)", fmt: v("service_s", "p90"), num: true },
    ];
  }

  function stars(c, b) {
    const rows = [...b.red_star.map((r) => ({ ...r, title: c.t("红星岗", "Red-star window") })),
      ...b.smile_star.map((r) => ({ ...r, title: c.t("微笑之星", "Smile star") }))];
    return c.table([
      { zh: "称号", en: "Title", key: "title" }, { zh: "名称", en: "Name", fmt: (r) => r.name },
      { zh: "办理环节", en: "Stages served", key: "served", num: true }, { zh: "评价", en: "Ratings", key: "ratings", num: true },
      { zh: "好评率", en: "Satisfaction", fmt: (r) => pct(r.satisfaction_rate), num: true },
      { zh: "非常满意占比", en: "Very satisfied", fmt: (r) => pct(r.very_satisfied_rate), num: true },
    ], rows, { id: "stars" });
  }

  Console.page({
    id: "bulletin", order: 70, title: { zh: "月通报", en: "Bulletin" },
    events: [],
    async render(root, c) {
      const { el, t } = c;
      if (!document.querySelector("link[data-figures]")) {
        document.head.append(el("link", { rel: "stylesheet", href: "figures.css", "data-figures": "1" }));
      }
      const params = c.hashParams();
      if (!params.month) {
        params.month = c.fmt.month();  // the hall's month, not the browser's
      }
      const bar = c.filters([{ name: "month", zh: "月份", en: "Month", type: "month" }], params, () => c.refresh());
      const link = (format, label) => el("a", { class: "btn small", download: "", "data-format": format,
        href: `/api/v1/reports/bulletin${c.query({ month: params.month, format })}` }, label);
      bar.append(el("span", { class: "actions" },
        el("button", { type: "button", class: "secondary", onclick: () => window.print() }, t("打印", "Print")),
        link("xlsx", "XLSX"), link("pdf", "PDF"), link("csv", "CSV")));
      root.append(bar);
      let b;
      try {
        b = await c.api(`/reports/bulletin${c.query({ month: params.month })}`);
      } catch (err) {
        if (err.code === "offline") throw err;  // the shell says so and reads the page again
        root.append(el("p", { class: "error", id: "bulletin-error", "data-code": err.code || null }, c.errorText(err)));
        return;
      }
      const page = el("div", { class: "bulletin", id: "bulletin" },
        el("h1", {}, `${b.hall_name} ${b.month} ${t("月通报", "monthly bulletin")}`),
        el("p", { class: "muted" }, `${b.first} – ${b.last} · ${t("目标:好评率 ≥ 92%,办结率 ≥ 97%", "targets: satisfaction ≥ 92 %, completion ≥ 97 %")} · ${t("截至", "as of")} ${c.fmt.datetime(b.as_of)}`));
      if (b.warning) page.append(el("p", { class: "error" }, `${t("警告", "Warning")}: ${b.warning}`));
      page.append(c.card("全厅", "Hall", el("div", { class: "table-wrap" }, c.table(columns(c, "大厅", "Hall", "hall"), [{ ...b.overall, name: b.hall_name }]))));
      for (const [dim, zh, en] of SECTIONS) {
        page.append(c.card(`按${zh}`, `By ${en.toLowerCase()}`, el("div", { class: "table-wrap" }, c.table(columns(c, zh, en, dim), b.sections[dim], { id: `bulletin-${dim}` }))));
      }
      page.append(c.card("红星岗 / 微笑之星 候选", "Candidates: red-star windows and smile stars",
        el("div", { class: "table-wrap" }, stars(c, b)), el("p", { class: "rule" }, b.rule)));
      root.append(page);
    },
  });
})();
