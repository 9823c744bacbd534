"""Market data: a simulated market (the default) and its catalogue; ccxt's public data is in trading.ccxt."""
