"""The HTTP wing: the ASGI app (composition root), routes, error answers, the event stream,
zeroconf advertisement and TLS facts. Thin: it authenticates, calls one use case and shapes the
answer."""
