"""The phone page's traditional Mongolian (queue_server/api/phone/app.js, `MN`): every entry says
whether a native reader has reviewed it (`fuzzy`, as in ui/locale/mn.po), and an entry that
names a kiosk entry of mn.po (`po`) still says that entry's words, and is not taken for
reviewed while the kiosk's entry is not: the kiosk and the phone say the same thing."""

from __future__ import annotations

import json
import re
from pathlib import Path

from ui.locale import SHIPPED, read_po

APP = Path(__file__).resolve().parents[2] / "queue_server" / "api" / "phone" / "app.js"
ENTRY = re.compile(r'^\s+(\w+): \{mn: ("(?:[^"\\]|\\.)*"), fuzzy: (true|false)'
                   r'(?:, po: "(\w+)")?\},?\s+/\*', re.M)


def phone_words() -> list[tuple[str, str, bool, str | None]]:
    block = APP.read_text(encoding="utf-8").split("var MN = {", 1)[1].split("\n  };", 1)[0]
    found = [(m[1], json.loads(m[2]), m[3] == "true", m[4]) for m in ENTRY.finditer(block)]
    assert len(found) == block.count("{mn: "), "an entry of MN the test cannot read"
    return found


def test_the_phone_pages_mongolian_is_the_kiosks_and_marked_for_review() -> None:
    kiosk = {e.key: e for e in read_po(SHIPPED / "mn.po")}
    words = phone_words()
    assert {"title", "waiting", "called", "approval", "ready"} <= {w[0] for w in words}
    for key, text, fuzzy, po in words:
        assert re.search("[\u1820-\u18af]", text), key  # written in the Mongolian block
        if po is not None:
            assert text.replace("{n}", "") in kiosk[po].text.replace("{n}", ""), (key, po)
            assert fuzzy or not kiosk[po].fuzzy, f"{key}: mn.po's {po} is not reviewed yet"
