"""The terminal runtime for every role: configuration, the server client, the device manager and
the flows as view-models (state machines that know no widget)."""
