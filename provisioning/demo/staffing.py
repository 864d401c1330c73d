"""Who works where in the demo hall: the counters staffed this morning (every zone, every
service's approval desk, one bank-branch window), their staff ids (s001 sits at the first
counter of examples/hjhq.toml, and so on), and the counters with a rating pad."""

from __future__ import annotations

HALL_COUNTERS = ("W01", "W02", "W03", "W04", "W05", "W06", "W07", "W08", "W09", "W10", "W11",
                 "W12", "W13", "W14", "H01", "H02", "H03", "H04", "H05", "H06", "H07", "H08",
                 "H09", "H10", "H11", "H12", "N01", "N02")
STAFFED = ("W01", "W02", "W05", "W06", "W07", "W08", "W09", "W10", "W11",
           "H01", "H02", "H03", "H04", "H05", "H06", "H07", "H08", "H09", "H10", "H11", "H12",
           "W12", "W13", "W14", "N01")
PADS = ("W05", "W06", "W07", "W08", "W09", "W10", "W11", "W12", "W13", "W14", "N01")


def staff_id_for(counter: str) -> str:
    return f"s{HALL_COUNTERS.index(counter) + 1:03d}"


def terminals() -> list[tuple[str, str, str | None]]:
    """(name, kind, counter) of every terminal the headless morning uses."""
    out: list[tuple[str, str, str | None]] = [(f"kiosk-{i}", "kiosk", None) for i in (1, 2, 3)]
    out += [("bank-1", "bank", None), ("display-1", "display", None)]
    out += [(f"counter-{c}", "counter", c) for c in STAFFED]
    out += [(f"pad-{c}", "pad", c) for c in PADS]
    return out
