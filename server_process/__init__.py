"""The queue server as a child process, for the tests, the benchmarks and the demo.

- `server_process.process`: a free loopback port, `python -m queue_server` started on it and
  waited for until `/api/v1/health` answers, stopped (SIGTERM, then SIGKILL) or killed, its output
  in a log file; the same wait for any other server command. A leaf: the standard library and
  httpx only. It never imports `queue_server`: the server runs in its own process, as in a hall.
- `server_process.hall`: a hall loaded into a database by the administrator's command
  (`provisioning init`, `staff`, `enrol` through `provisioning.__main__`, run in this process to
  spare an interpreter start per command), and a hall's server restartable on its own port. The
  command's entry point is its only door into our code: never `queue_server` itself.
- `server_process.halls`: the two small halls the terminal tests and benchmarks run against.

`queue_server`, `devices`, `kiosk`, `ui` and `toml_text` never import this package; `tests`,
`bench` and `provisioning.demo` do, and `bench` never imports `tests` (pyproject's import-linter
contracts).
"""

from server_process.process import (
    ROOT,
    ServerProcess,
    free_port,
    running,
    start_server,
    wait_answer,
    wait_healthy,
)

__all__ = ["ROOT", "ServerProcess", "free_port", "running", "start_server", "wait_answer",
           "wait_healthy"]
