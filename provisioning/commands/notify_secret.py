"""`provisioning notify-secret --db URL [--hall ID] [--json]`: the secret with which the hall
signs its ready-for-pickup messages (HMAC-SHA256 over the body, header `X-Kuaiban-Signature`),
for the operator of the SMS or WeChat gateway to check them, and the webhook they go to. It is
derived from the hall's own secret, so it survives a backup and restore unchanged."""

from __future__ import annotations

import argparse
import json

from provisioning.db import open_store
from provisioning.errors import UsageError

NAME = "notify-secret"
HELP = "print the secret that signs the hall's notifications (for its SMS/WeChat gateway)"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--db", required=True, help="SQLAlchemy URL")
    parser.add_argument("--hall", help="hall id (default: the only main hall)")
    parser.add_argument("--json", action="store_true", help="print JSON")


def run(args: argparse.Namespace) -> int:
    from provisioning.hall_toml import NoSuchHall, main_hall_id
    from queue_server.usecases.notify import gateway_settings

    with open_store(args.db) as store:
        with store.read() as session:
            try:
                hall = main_hall_id(session, args.hall)
            except NoSuchHall as exc:
                raise UsageError(str(exc)) from None
        found = gateway_settings(store, hall)
    assert found is not None
    secret, webhook = found
    if args.json:
        print(json.dumps({"hall": hall, "secret": secret, "webhook": webhook}))
    else:
        print(f"hall {hall}: webhook {webhook or '(none: messages are only logged)'}\n"
              f"secret {secret}")
    return 0
