"""The commands' argument parser: a usage mistake is one line on standard error and exit 2
(contract §1: "2 on bad usage or bad input with a one-line reason"), not argparse's usage
block above the reason. `--help` still prints the whole usage. Shared by `queue_server`,
`provisioning` and `kiosk` (`devices`, which knows nothing of queue_server, has its own)."""

from __future__ import annotations

import argparse
from typing import NoReturn


class OneLineParser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:
        self.exit(2, f"{self.prog}: {message} (--help for usage)\n")
