"""The trading core: domain, use cases and the ports its adapters implement."""
