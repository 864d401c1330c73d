"""The demo hall (`python -m provisioning demo`, the README's `bin/demo`): the real server and
the real terminals on one machine with simulated devices; headless, a simulated busy morning
against the real server process. `procs` owns the child processes, `setup` the hall, `api` the
HTTP calls, `morning` the simulation, `report` what is printed, `screen` the desktop mode."""
