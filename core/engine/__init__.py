"""The single writer and what it drives: one transaction per batch of work, the outbox that speaks only
after commit, and the durable scheduler."""
