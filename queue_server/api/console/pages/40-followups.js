/* 差评回访 / Follow-ups: each bad rating through 核实 → 整改 → 回复, every step with its
   deadline; late steps flagged; the supervisor records each step here. */
(function () {
  "use strict";
  const STEPS = { verify: ["核实", "verify"], rectify: ["整改", "rectify"], reply: ["回复", "reply"], closed: ["已办结", "closed"] };
  function stepForm(c, item) {
    const id = item.id;
    if (item.step === "verify") {
      return { title: ["核实差评", "Verify the rating"], submit: ["提交核实", "Record"],
        intro: [`${item.number}:${c.LEVELS[item.level][0]}`, `${item.number}: ${c.LEVELS[item.level][1]}`],
        fields: [
          { name: "valid", zh: "核实结果", en: "Finding", type: "choice",
            options: [["true", "属实(需要整改)", "valid (to be rectified)"], ["false", "不属实", "not valid"]] },
          { name: "note", zh: "核实情况(不属实请写明理由)", en: "What was found (the reason when not valid)", type: "textarea", required: true }],
        send: (v) => c.api(`/followups/${id}/verify`, { method: "POST", body: { valid: v.valid === "true", note: v.note } }) };
    }
    if (item.step === "rectify") {
      return { title: ["整改", "Rectification"], submit: ["提交整改", "Record"],
        fields: [{ name: "note", zh: "整改措施", en: "What was done", type: "textarea", required: true }],
        send: (v) => c.api(`/followups/${id}/rectify`, { method: "POST", body: { note: v.note } }) };
    }
    return { title: ["回复群众", "Answer to the citizen"], submit: ["提交回复", "Record"],
      fields: [{ name: "note", zh: "回复内容(如何告知群众)", en: "The answer given (and how)", type: "textarea", required: true }],
      send: (v) => c.api(`/followups/${id}/reply`, { method: "POST", body: { note: v.note } }) };
  }
  Console.page({
    id: "followups", order: 40, title: { zh: "差评回访", en: "Follow-ups" },
    events: ["followup.", "evaluation.", "appeal."],
    async render(root, c) {
      const { el, t, tr, fmt, badge } = c;
      const params = c.hashParams();
      const open = params.show !== "all";
      const rows = await c.api(`/followups${c.query({ open, late: params.show === "late" ? "true" : null })}`);
      const late = rows.filter((r) => r.late && !r.closed_at).length;
      root.append(el("div", { class: "stats" },
        c.stat(t(open ? "待办" : "全部", open ? "Open" : "All"), rows.length),
        c.stat(t("逾期", "Late"), late, late ? "bad" : "good")));
      const bar = c.filters([{ name: "show", zh: "显示", en: "Show", type: "select",
        options: [["", "未办结", "open"], ["late", "逾期", "late"], ["all", "全部", "all"]] }], params, () => c.refresh());
      bar.append(c.exportLinks("followups", { open }));
      /* each step: its badge, and once done what it recorded (when, who, the note; the whole
         note on hover), so the record can be read back where it was written */
      const record = (s) => {
        if (!s.done_at) return null;
        const note = s.note || "";
        const short = note.length > 40 ? `${note.slice(0, 40)}…` : note;
        return el("div", { class: "step-note muted", title: note || null },
          `${fmt.datetime(s.done_at).slice(5)} ${s.done_by || ""}${short ? ":" + short : ""}`);
      };
      const steps = (r) => el("div", { class: "steps" }, r.steps.map((s) => el("div", { class: "step" },
        badge(`${tr(STEPS[s.step])} ${s.done_at ? "✓" : t("限", "by ") + fmt.datetime(s.due_at).slice(5)}` +
          (s.valid === false ? t("(不属实)", " (not valid)") : "") + (s.late ? t("·逾期", " · late") : ""),
          s.late ? "late" : s.done_at ? "ok" : "warn"),
        record(s))));
      const action = (r) => (r.step === "closed" ? badge(t("已办结", "closed"), "closed")
        : el("button", { class: "small", "data-action": r.step, onclick: async () => {
          if (await c.dialog(stepForm(c, r))) c.refresh();
        } }, tr(STEPS[r.step])));
      root.append(bar, el("div", { class: "table-wrap" }, c.table([
        { zh: "评价时间", en: "Rated at", fmt: (r) => fmt.datetime(r.rated_at) },
        { zh: "号码", en: "Number", key: "number" },
        { zh: "评价", en: "Level", fmt: (r) => `${r.level} ${tr(c.LEVELS[r.level])}`, cls: (r) => `level-${r.level}` },
        { zh: "原因", en: "Reasons", fmt: (r) => r.reasons.map((x) => tr(c.REASONS[x] || [x, x])).join("、") },
        { zh: "意见", en: "Comment", key: "comment" },
        { zh: "窗口/人员", en: "Counter / staff", fmt: (r) => `${r.counter || ""} ${r.staff || ""}` },
        { zh: "步骤", en: "Steps", fmt: steps },
        { zh: "当前期限", en: "Due", fmt: (r) => (r.closed_at ? "—" : fmt.datetime(r.due_at)), cls: (r) => (r.late && !r.closed_at ? "level-1" : "") },
        { zh: "操作", en: "Action", fmt: action },
      ], rows, { id: "followups", rowClass: (r) => (r.late && !r.closed_at ? "late" : null) })));
    },
  });
})();
