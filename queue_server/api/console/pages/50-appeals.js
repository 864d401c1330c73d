/* 申诉 / Appeals: a rated staff member's appeal against a rating (filed from their counter
   pad), decided here by a supervisor. The rating itself never changes. */
(function () {
  "use strict";
  const STATUS = { open: ["待裁决", "open"], upheld: ["成立", "upheld"], rejected: ["不成立", "rejected"] };
  /* The appealed ratings' service and comment, by rating id: GET /appeals does not carry
     them, the ledger (GET /ratings) over the appeals' rating days does. {} when it cannot be
     read (the appeals are shown all the same). */
  async function ratingsOf(c, rows) {
    if (!rows.length) return {};
    const days = rows.map((r) => c.fmt.date(new Date(r.rated_at))).sort();
    try {
      const ledger = await c.api(`/ratings${c.query({ from: days[0], to: days[days.length - 1] })}`);
      return Object.fromEntries(ledger.map((x) => [x.id, x]));
    } catch (e) { return {}; }
  }
  Console.page({
    id: "appeals", order: 50, title: { zh: "申诉", en: "Appeals" },
    events: ["appeal."],
    async render(root, c) {
      const { el, t, tr, fmt, badge } = c;
      const params = c.hashParams();
      const rows = await c.api(`/appeals${c.query({ status: params.status })}`);
      const rated = await ratingsOf(c, rows);
      const bar = c.filters([{ name: "status", zh: "状态", en: "Status", type: "select",
        options: [["", "全部", "all"], ...Object.entries(STATUS).map(([k, v]) => [k, v[0], v[1]])] }], params, () => c.refresh());
      bar.append(c.exportLinks("appeals", { status: params.status }));
      const decide = (r) => (r.status !== "open" ? `${r.decided_by || ""} ${r.decision_note || ""}`
        : el("button", { class: "small", "data-action": "decide", onclick: async () => {
          const done = await c.dialog({ title: ["裁决申诉", "Decide the appeal"], submit: ["提交", "Record"],
            intro: [`${r.number}:${r.reason}`, `${r.number}: ${r.reason}`],
            fields: [
              { name: "upheld", zh: "结果", en: "Decision", type: "choice",
                options: [["false", "不成立(评价有效)", "rejected (the rating stands)"], ["true", "成立(误评或恶意评价)", "upheld (mistaken or malicious)"]] },
              { name: "note", zh: "裁决理由", en: "Reason", type: "textarea", required: true }],
            send: (v) => c.api(`/appeals/${r.id}/decide`, { method: "POST", body: { upheld: v.upheld === "true", note: v.note } }) });
          if (done) c.refresh();
        } }, t("裁决", "Decide")));
      root.append(bar, el("div", { class: "table-wrap" }, c.table([
        { zh: "申诉时间", en: "Filed at", fmt: (r) => fmt.datetime(r.filed_at) },
        { zh: "号码", en: "Number", key: "number" },
        { zh: "评价", en: "Level", fmt: (r) => `${r.level} ${tr(c.LEVELS[r.level])}`, cls: (r) => `level-${r.level}` },
        { zh: "评价时间", en: "Rated at", fmt: (r) => fmt.datetime(r.rated_at) },
        { zh: "事项", en: "Service", fmt: (r) => (rated[r.evaluation] ? c.serviceName(rated[r.evaluation].service, rated[r.evaluation].service_name) : "") },
        { zh: "窗口", en: "Counter", fmt: (r) => (r.counter ? `${r.counter} ${c.counterName(r.counter, "")}`.trim() : "") },
        { zh: "群众意见", en: "Comment", fmt: (r) => (rated[r.evaluation] && rated[r.evaluation].comment) || "" },
        { zh: "申诉人", en: "Staff", fmt: (r) => `${r.staff_name || ""} ${r.staff}` },
        { zh: "理由", en: "Reason", key: "reason" },
        { zh: "状态", en: "Status", fmt: (r) => badge(tr(STATUS[r.status]), r.status === "open" ? "warn" : r.status === "upheld" ? "ok" : "closed") },
        { zh: "裁决", en: "Decision", fmt: decide },
      ], rows, { id: "appeals" })));
    },
  });
})();
