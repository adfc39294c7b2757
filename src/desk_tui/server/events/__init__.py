"""Live updates: every change a desk should see is recorded as an event in the same transaction,
and `GET /v1/events` streams them (server-sent events) to the terminals of each location."""
