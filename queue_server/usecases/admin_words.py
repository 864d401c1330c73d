"""What the administrator's commands say when a name is wrong: the lists to choose from,
Chinese first, shortened one way everywhere. The use cases that only the administrator reaches
(enrolling a terminal, loading a hall) raise these words themselves, so `provisioning` prints a
use case's refusal as it is."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from queue_server.db.models import Counter

SHOWN = 60  # names or codes listed in a refusal; the rest are counted


def listed(items: list[str], sep: str, shown: int = SHOWN) -> str:
    """`items` joined by `sep`, the first `shown` of them and the count of the rest."""
    more = len(items) - shown
    return sep.join(items[:shown]) + (f"{sep}… (+{more})" if more > 0 else "")


def halls_to_choose(ids: list[str]) -> tuple[str, str]:
    """The halls there are, in Chinese and in English ("无" / "none" for none)."""
    return listed(ids, "、") or "无", listed(ids, ", ") or "none"


def unknown_hall(hall: str, ids: list[str]) -> str:
    zh, en = halls_to_choose(ids)
    return f"--hall {hall}: 没有这个大厅(有:{zh}) / no hall {hall!r} (there are: {en})"


def hall_needed(ids: list[str]) -> str:
    zh, en = halls_to_choose(ids)
    return f"数据库里有多个大厅({zh});请用 --hall 指定 / several halls: give --hall ({en})"


NO_HALL = ("数据库里还没有大厅;请先运行 provisioning init --config 大厅配置.toml --db URL / no "
           "hall yet: run `provisioning init --config HALL.toml --db URL` first")


def no_counter(s: Session, code: str, hall: str | None) -> str:
    """Why `code` names no counter (of `hall`, or of any hall), Chinese first: the codes there
    are, the code in its right case when only the case is wrong ('w15': W15?), the halls that
    have it when it is another hall's."""
    rows = list(s.execute(select(Counter.hall, Counter.code).where(Counter.active)
                          .order_by(Counter.hall, Counter.code)))
    owners = [h for h, c in rows if c == code]
    if owners and hall is not None:
        return (f"大厅 {hall} 没有窗口 {code},它在 {'、'.join(owners)};请用 --hall 指定 / "
                f"hall {hall} has no counter {code}: it is in {', '.join(owners)} (choose with "
                "--hall)")
    halls = [hall] if hall is not None else sorted({h for h, _ in rows})
    codes = {h: [c for o, c in rows if o == h] for h in halls}
    if not any(codes.values()):
        return (f"{f'大厅 {hall} ' if hall else ''}还没有窗口;请在大厅配置的 [[counters]] 中写上,"
                f"再运行 provisioning init / {f'hall {hall} has' if hall else 'there are'} no "
                "counters yet: add them under [[counters]] in the hall file and run "
                "`provisioning init` again")
    near = sorted({c for cs in codes.values() for c in cs if c.casefold() == code.casefold()})
    ask_zh, ask_en = (f"是 {near[0]} 吗?(编码区分大小写)", f" did you mean {near[0]}? (codes "
                      "are case-sensitive);") if near else ("", "")
    if len(halls) == 1:
        return (f"大厅 {halls[0]} 没有窗口 {code};{ask_zh}有的窗口:{listed(codes[halls[0]], '、')} "
                f"/ no counter {code!r} in hall {halls[0]}:{ask_en} the counters are "
                f"{listed(codes[halls[0]], ', ')}")
    zh = ";".join(f"{h}:{listed(cs, '、')}" for h, cs in codes.items() if cs)
    en = "; ".join(f"{h}: {listed(cs, ', ')}" for h, cs in codes.items() if cs)
    return f"没有窗口 {code};{ask_zh}有的窗口:{zh} / no counter {code!r}:{ask_en} the counters are {en}"
