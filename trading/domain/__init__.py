"""Domain objects: frozen dataclasses, Decimal money."""
