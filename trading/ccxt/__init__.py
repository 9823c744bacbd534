"""ccxt venues: the client session every call goes through, its errors and structures translated, and the two
adapters over it (the exchange gateway and the public market data)."""
