"""The administrator's command: set up a hall, enrol terminals, set PINs, probe devices,
certificates, backups and service files for 24-hour operation."""
