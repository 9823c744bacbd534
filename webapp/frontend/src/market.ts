// Market symbols as the API writes them, ccxt's: "ETH/USDT" trades spot, "ETH/USDT:USDT" is its perpetual.

/** The currency a market's prices and margin are in: "ETH/USDT:USDT" -> "USDT". */
export function quoteOf(symbol: string): string {
  return symbol.split(":")[0].split("/")[1] ?? "";
}
