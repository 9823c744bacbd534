"""What only the Binance stand-in shows: perpetuals in ccxt's unified form and the testnet flag."""

from decimal import Decimal

from tests.exchanges.conftest import Venue


async def test_a_perpetual_has_the_unified_symbol_and_its_own_precision(binance_venue: Venue) -> None:
    gateway = binance_venue.gateway()
    try:
        market = await gateway.market("BTC/USDT:USDT")
        ticker = await gateway.ticker("BTC/USDT:USDT")
    finally:
        await gateway.close()

    assert (market.base, market.quote) == ("BTC", "USDT")
    assert (market.amount_step, market.price_tick) == (Decimal("0.001"), Decimal("0.1"))
    assert (market.min_amount, market.min_notional) == (Decimal("0.001"), Decimal(100))
    assert ticker.symbol == "BTC/USDT:USDT"


async def test_the_testnet_flag_with_an_override_talks_to_the_stand_in(binance_venue: Venue) -> None:
    gateway = binance_venue.gateway(testnet=True)
    try:
        market = await gateway.market("ETH/USDT")
        balances = await gateway.balances()
    finally:
        await gateway.close()

    assert market.amount_step == Decimal("0.0001")
    assert balances["USDT"].total == Decimal(10_000)
