"""Market data adapters: a simulated market (the default) and ccxt's public data."""
