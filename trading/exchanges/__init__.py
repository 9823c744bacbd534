"""Exchange gateways: the paper exchange (ccxt venues are in trading.ccxt), and retries with back-off."""
