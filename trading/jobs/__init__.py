"""Job queues the core can run on: the one inside the process (local)."""
