/* 限时办结 / Deadlines: every case in approval with its deadline, who holds it (or the post it
   was sent to) and who took it in; overdue, due today and soon first; a case at a post with
   nobody signed in is flagged; a case sent back for papers (补正) last, its clock stopped, with
   when and by which post, the papers, the date its holder was asked to bring them by and, past
   it without them, 逾期未补正 (the post calls it back by its number to decide on it). */
(function () {
  "use strict";
  const STATES = { overdue: ["已超期", "overdue"], due_today: ["今日到期", "due today"], soon: ["即将到期", "due soon"],
    on_track: ["正常", "on track"], supplement: ["待补正·暂停计时", "papers due · clock stopped"] };
  const HELD = { waiting: ["待领办", "not taken yet"], called: ["已领办", "taken"], serving: ["审批中", "in approval"],
    on_hold: ["已挂起", "on hold"], supplement: ["等办事人递交补正材料", "waiting for the holder's papers"],
    papers_in: ["材料已送达,待受理窗口接收", "papers in: at intake"] };
  Console.page({
    id: "cases", order: 20, title: { zh: "限时办结", en: "Deadlines" },
    events: ["ticket.", "case."],
    async render(root, c) {
      const { el, t, tr, fmt, badge } = c;
      const params = c.hashParams();
      const [rows] = await Promise.all([c.api("/cases"), c.namesRead()]);  // (the posts' names)
      const n = (s) => rows.filter((r) => r.state === s).length;
      root.append(el("div", { class: "stats" },
        c.stat(t("在办件", "In approval"), rows.length),
        c.stat(t("已超期", "Overdue"), n("overdue"), n("overdue") ? "bad" : "good"),
        c.stat(t("今日到期", "Due today"), n("due_today"), n("due_today") ? "warn" : ""),
        c.stat(t("即将到期", "Due soon"), n("soon"), n("soon") ? "warn" : ""),
        c.stat(t("待补正", "Papers due"), n("supplement")),
        c.stat(t("逾期未补正", "Papers not brought in time"), rows.filter((r) => r.lapsed).length,
          rows.some((r) => r.lapsed) ? "warn" : ""),
        c.stat(t("窗口无人", "At unstaffed posts"), rows.filter((r) => r.unstaffed).length,
          rows.some((r) => r.unstaffed) ? "bad" : "good")));
      if (rows.some((r) => r.deadline_provisional)) {
        root.append(el("p", { class: "error" }, t("部分时限按未确认的节假日安排推算(暂定)", "Some deadlines use an unconfirmed holiday calendar (provisional)")));
      }
      /* who holds it; a case sent to one post (转办) waits for that post alone, and one at a
         post with nobody signed in waits for nobody: flagged */
      const held = (r) => {
        const text = r.staff ? `${c.counterName(r.counter, r.counter)} ${r.staff_name || r.staff}`
          : r.waiting_at ? `${tr(HELD.waiting)} · ${c.counterName(r.waiting_at, r.waiting_at)}` : tr(HELD[r.status]);
        if (r.state === "supplement") return sentBack(r, text);
        if (!r.unstaffed) return text;
        return el("span", {}, text, " ", badge(t("窗口无人值守", "nobody signed in there"), "late"));
      };
      /* 补正: sent back when and by which post, the date to bring them by, the papers */
      const sentBack = (r, text) => {
        const short = (iso) => fmt.datetime(iso).slice(5, 10);
        const post = r.asked_by ? c.counterName(r.asked_by) : "";  // its name, in each language
        const asked = r.asked_at ? t(`${short(r.asked_at)} 由${post}退回`, `sent back ${short(r.asked_at)} by ${post}`) : "";
        const by = r.bring_by && r.status === "supplement" ? t(`补正期限 ${short(r.bring_by)}`, `bring by ${short(r.bring_by)}`) : "";
        const papers = (r.papers || []).length ? t(`材料:${r.papers.join("、")}`, `papers: ${r.papers.join(", ")}`) : "";
        const out = el("span", {}, text, el("br"),
          el("small", {}, [asked, by, papers].filter(Boolean).join(" · ")));
        if (r.lapsed) out.append(" ", badge(t("逾期未补正", "papers not brought"), "late"));
        return out;
      };
      const shown = params.state ? rows.filter((r) => r.state === params.state) : rows;
      const bar = c.filters([{ name: "state", zh: "状态", en: "State", type: "select",
        options: [["", "全部", "all"], ...Object.entries(STATES).map(([k, v]) => [k, v[0], v[1]])] }], params, () => c.refresh());
      bar.append(c.exportLinks("cases", {}));
      root.append(bar, el("div", { class: "table-wrap" }, c.table([
        { zh: "号码", en: "Number", fmt: (r) => c.caseNumber(r) },
        { zh: "事项", en: "Service", fmt: (r) => c.serviceName(r.service, r.service_name) },
        { zh: "申请人", en: "Applicant", key: "masked_name" },
        { zh: "进入审批", en: "Entered", fmt: (r) => fmt.datetime(r.entered_at) },
        { zh: "办结时限", en: "Deadline", fmt: (r) => fmt.datetime(r.deadline) + (r.deadline_provisional ? t("(暂定)", " (provisional)") : "") },
        { zh: "状态", en: "State", fmt: (r) => badge(tr(STATES[r.state]), r.state) },
        { zh: "承办", en: "Held by", fmt: held },
        { zh: "受理人", en: "Taken in by", fmt: (r) => r.intake_staff_name || r.intake_staff || "" },
      ], shown, { id: "cases", rowClass: (r) => (r.unstaffed ? `${r.state} unstaffed` : r.state) })));
    },
  });
})();
