"""The states of the citizen kiosk (roles `kiosk` and `bank`): one a screen, and which of them
need the server. The flow moves between them; its steps and the screens name them."""

from __future__ import annotations

ATTRACT, SERVICES, DETAIL, IDCARD = "attract", "services", "detail", "idcard"
SCAN, REVIEW, ISSUING, TICKET = "scan", "review", "issuing", "ticket"
ASK, RESULT, RATE, THANKS = "ask", "result", "rate", "thanks"
OFFLINE, ADMIN_PIN, ADMIN = "offline", "admin_pin", "admin"
# Check-in (a booking, a number from the phone, a case ready for pickup) and its answers; the
# green channel's reasons.
CHECKIN, ANSWER, PRIORITY = "checkin", "answer", "priority"
STATES = (ATTRACT, SERVICES, DETAIL, IDCARD, SCAN, REVIEW, ISSUING, TICKET, ASK, RESULT, RATE,
          THANKS, OFFLINE, ADMIN_PIN, ADMIN, CHECKIN, ANSWER, PRIORITY)
# Where the back button leads (elsewhere: to the start).
BACK = {SERVICES: ATTRACT, DETAIL: SERVICES, IDCARD: DETAIL, SCAN: DETAIL, REVIEW: SCAN,
        ASK: ATTRACT, RESULT: ASK, RATE: RESULT, ADMIN_PIN: ATTRACT, ADMIN: ATTRACT,
        CHECKIN: ATTRACT, ANSWER: CHECKIN, PRIORITY: DETAIL}
# Screens that need the server; when it goes away they give way to the offline screen.
NEEDS_SERVER = (ATTRACT, SERVICES, DETAIL, IDCARD, SCAN, REVIEW, ASK, RESULT, RATE, CHECKIN,
                ANSWER, PRIORITY)
