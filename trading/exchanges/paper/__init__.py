"""The paper exchange: a venue of its own, with its own books, matching against the simulated market."""
