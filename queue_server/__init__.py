"""The LAN queue server of a Kuaiban hall: configuration, the queue domain, persistence,
the HTTP API, the event stream and zeroconf advertisement."""

API_VERSION = "v1"
