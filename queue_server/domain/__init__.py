"""The queue domain as pure code over plain values: the call order, stage transitions, working
days and deadlines, the hall's settings, hashing and masking. No SQLAlchemy, no HTTP, no clock
reads: `now` is passed in."""
