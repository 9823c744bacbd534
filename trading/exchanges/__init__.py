"""Exchange gateways: the paper exchange and ccxt."""
