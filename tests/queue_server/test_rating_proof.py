"""Who may rate what (finding 5 of issue 11: any kiosk or pad rated any ticket by its id, which
every board sees in the events): a pad enrolled for a counter rates only that counter's stages;
a kiosk rates only a ticket whose holder proved it, with the rating code of the ticket's QR
link, the code a card lookup answered, or the ID card the ticket was issued to. The code is in
no event and no view of the ticket."""

from __future__ import annotations

import json
from urllib.parse import parse_qs, urlsplit

from tests.queue_server.conftest import Hall

CARD = {"number": "150102198001011234", "name": "王小明"}


def _served(hall: Hall, code: str, **body: object) -> dict[str, object]:
    kiosk = hall.client(hall.enrol("kiosk", f"k-{code}"))
    ticket = hall.issue(kiosk, **body)
    staff = hall.staff(code)
    called = staff.post(f"/counters/{code}/call-next").json()
    assert called["id"] == ticket["id"], called
    staff.post(f"/counters/{code}/finish", json={"outcome": "done"})
    return ticket


def test_a_pad_rates_only_its_own_counters_stages(hall: Hall) -> None:
    at_w02 = _served(hall, "W02")
    at_w01 = _served(hall, "W01")
    pad = hall.client(hall.enrol("pad", "pad-w01", counter="W01"))
    refused = pad.post("/evaluations", json={"ticket": at_w02["id"], "level": 5})
    assert refused.status_code == 403, refused.text
    assert refused.json()["error"]["code"] == "not_your_counter"
    rated = pad.post("/evaluations", json={"ticket": at_w01["id"], "level": 5})
    assert rated.status_code == 201 and rated.json()["counter"] == "W01"


def test_a_kiosk_rates_only_with_proof(hall: Hall) -> None:
    ticket = _served(hall, "W01")
    kiosk = hall.client(hall.enrol("kiosk", "k-rater"))
    by_id = kiosk.post("/evaluations", json={"ticket": ticket["id"], "level": 5})
    assert by_id.status_code == 403 and by_id.json()["error"]["code"] == "proof_required"
    wrong = kiosk.post("/evaluations", json={"ticket": ticket["id"], "level": 5,
                                             "rating_code": "AAAAAAAAAAAAAAAA"})
    assert wrong.status_code == 403
    code = parse_qs(urlsplit(str(ticket["track_url"])).query)["c"][0]  # what its QR code says
    rated = kiosk.post("/evaluations", json={"ticket": ticket["id"], "level": 4,
                                             "rating_code": code})
    assert rated.status_code == 201, rated.text
    other = _served(hall, "W01")  # the code of one ticket proves nothing for another
    assert kiosk.post("/evaluations", json={"ticket": other["id"], "level": 5,
                                            "rating_code": code}).status_code == 403


def test_the_id_card_or_a_card_lookup_is_proof_too(hall: Hall) -> None:
    ticket = _served(hall, "W02", id_card=CARD)
    kiosk = hall.client(hall.enrol("kiosk", "k-card"))
    stranger = {"number": "150102198001015678"}
    assert kiosk.post("/evaluations", json={"ticket": ticket["id"], "level": 5,
                                            "id_card": stranger}).status_code == 403
    rated = kiosk.post("/evaluations", json={"ticket": ticket["id"], "level": 5, "id_card": CARD})
    assert rated.status_code == 201, rated.text
    again = _served(hall, "W02", id_card=CARD)
    found = kiosk.post("/tickets/lookup", json={"id_card": CARD}).json()
    code = next(t["rating_code"] for t in found if t["id"] == again["id"])
    assert kiosk.post("/evaluations", json={"ticket": again["id"], "level": 3,
                                            "rating_code": code}).status_code == 201


def test_the_rating_code_is_in_no_event_and_no_view(hall: Hall) -> None:
    ticket = _served(hall, "W01")
    code = parse_qs(urlsplit(str(ticket["track_url"])).query)["c"][0]
    board = hall.client(hall.enrol("display", "board"))
    kiosk = hall.client(hall.enrol("kiosk", "k-view"))
    seen = [kiosk.get(f"/tickets/{ticket['id']}").text, kiosk.get("/counters").text,
            board.get(f"/tickets/{ticket['id']}").text]
    from queue_server.db.store import Store

    store = Store(hall.db_url)
    try:
        seen.append(json.dumps(store.fetch_events(hall.id, 0, 100_000)))
    finally:
        store.close()
    assert not [text for text in seen if code in text]
