"""A futures account on a derivatives venue: its keys tried through the venue's derivatives API before anything is
stored, its book opened with the collateral its wallet holds, later transfers synced; refused in one sentence in
hedge mode, with positions open there, with keys the venue refuses, or on a venue with no linear perpetuals.
ccxt's real client against the Binance USDⓈ-M and Bybit stand-ins (and Kraken's, a spot venue), through the
app's own Exchanges, on a real database. Each stand-in account holds 10,000 USDT."""

from decimal import Decimal

import pytest

from tests.exchanges.conftest import FuturesVenue, Venue
from tests.harness import Harness
from trading.ccxt.derivatives import CcxtDerivativesGateway
from trading.domain.accounts import Credentials, ExchangeAccount
from trading.domain.errors import InvalidInput
from trading.domain.futures import MarketType
from trading.domain.futures_ledger import FuturesBook
from trading.usecases.exchange_accounts import add_account, market_types
from trading.usecases.futures_portfolio import futures_portfolio
from trading.usecases.venue_balances import Transfer, sync_venue_balances

D = Decimal
# What each venue says of keys it does not know, as its stand-in answers.
REFUSED_KEYS = {
    "binanceusdm": "Binanceusdm refused these API keys: Invalid API-key, IP, or permissions for action.",
    "bybit": "Bybit refused these API keys: API key is invalid.",
}


def reach(harness: Harness, venue: FuturesVenue | Venue) -> None:
    """The app's Exchanges reach the venue's stand-in instead of the venue."""
    harness.exchanges.venue_config = lambda exchange, testnet: venue.config(testnet=testnet)


async def add_futures(
    harness: Harness, user: int, venue: FuturesVenue | Venue, credentials: Credentials | None = None
) -> ExchangeAccount:
    return await add_account(
        harness.core,
        user,
        venue.exchange_id,
        "Futures",
        credentials=credentials or venue.credentials,
        market_type=MarketType.FUTURES,
    )


async def book_of(harness: Harness, account_id: int) -> FuturesBook:
    async with harness.core.uow(read_only=True) as uow:
        return await uow.futures_books.load(account_id)


async def refused(harness: Harness, venue: FuturesVenue | Venue, sentence: str) -> None:
    """Adding the account is refused with exactly `sentence`, and nothing is stored."""
    reach(harness, venue)
    user, _ = await harness.user()
    before = await harness.counts()
    with pytest.raises(InvalidInput) as refusal:
        await add_futures(harness, user, venue)
    assert str(refusal.value) == sentence
    assert await harness.counts() == before


async def test_an_added_futures_account_opens_with_the_collateral_the_venue_holds(
    harness: Harness, futures_venue: FuturesVenue
) -> None:
    reach(harness, futures_venue)
    user, _ = await harness.user()

    account = await add_futures(harness, user, futures_venue)

    assert (account.exchange, account.market_type, account.has_credentials) == (
        futures_venue.exchange_id,
        MarketType.FUTURES,
        True,
    )
    book = await book_of(harness, account.id)
    assert (book.wallets, book.deposits, book.positions) == ({"USDT": D(10_000)}, {"USDT": D(10_000)}, {})
    assert isinstance(await harness.exchanges.gateway(account), CcxtDerivativesGateway)
    view = await futures_portfolio(harness.core, user, account.id)
    assert (view.wallet, view.equity, view.available, view.positions) == (D(10_000), D(10_000), D(10_000), ())
    assert futures_venue.standin.calls["create_order"] == 0


async def test_keys_the_venue_refuses_are_not_stored(harness: Harness, futures_venue: FuturesVenue) -> None:
    reach(harness, futures_venue)
    user, _ = await harness.user()
    before = await harness.count("exchange_accounts")
    wrong = Credentials("not-the-key", futures_venue.credentials.secret)

    with pytest.raises(InvalidInput) as refusal:
        await add_futures(harness, user, futures_venue, wrong)

    assert str(refusal.value) == REFUSED_KEYS[futures_venue.exchange_id]
    assert await harness.count("exchange_accounts") == before


async def test_an_account_in_hedge_mode_is_refused_saying_what_to_change(
    harness: Harness, futures_venue: FuturesVenue
) -> None:
    futures_venue.account.hedge_mode = True
    venue = futures_venue.exchange_id.capitalize()
    await refused(
        harness,
        futures_venue,
        f"Your {venue} account is in hedge mode, which tsbot does not trade; switch its position mode to "
        "one-way at the venue, then add it again.",
    )


async def test_positions_open_at_the_venue_are_refused_as_the_book_would_not_know_them(
    harness: Harness, futures_venue: FuturesVenue
) -> None:
    futures_venue.account.place("BTCUSDT", "buy", "market", D("0.1"), None, "by-hand-1")
    venue = futures_venue.exchange_id.capitalize()
    await refused(
        harness,
        futures_venue,
        f"Your {venue} account has positions open (BTC/USDT:USDT); add it once they are closed there.",
    )


async def test_a_venue_with_no_swap_markets_is_refused_without_a_request(
    harness: Harness, kraken_venue: Venue
) -> None:
    await refused(
        harness,
        kraken_venue,
        "Kraken has no linear perpetual futures (USDT- or USDC-settled swaps) that tsbot trades; add it as a "
        "spot account, or choose a futures venue such as binanceusdm or bybit.",
    )
    assert sum(kraken_venue.standin.calls.values()) == 0


def test_the_market_types_a_venue_offers_are_read_without_a_request(harness: Harness) -> None:
    core = harness.core
    assert market_types(core, "binanceusdm") == {MarketType.FUTURES}
    assert market_types(core, "bybit") == market_types(core, "paper") == {MarketType.SPOT, MarketType.FUTURES}
    assert market_types(core, "kraken") == {MarketType.SPOT}
    assert market_types(core, "nosuchexchange") == frozenset()


async def test_transfers_at_the_venue_are_synced_into_the_wallet_while_no_position_is_open(
    harness: Harness, futures_venue: FuturesVenue
) -> None:
    reach(harness, futures_venue)
    user, _ = await harness.user()
    account = await add_futures(harness, user, futures_venue)

    assert await sync_venue_balances(harness.core, user, account.id) == ()
    futures_venue.account.transfer(D(500))
    assert await sync_venue_balances(harness.core, user, account.id) == (Transfer("USDT", D(500)),)
    futures_venue.account.transfer(D(-2_000))
    assert await sync_venue_balances(harness.core, user, account.id) == (Transfer("USDT", D(-2_000)),)
    book = await book_of(harness, account.id)
    assert (book.wallets, book.deposits) == ({"USDT": D(8_500)}, {"USDT": D(8_500)})

    futures_venue.account.place("ETHUSDT", "sell", "market", D(1), None, "by-hand-2")
    futures_venue.account.transfer(D(100))
    with pytest.raises(InvalidInput) as refusal:
        await sync_venue_balances(harness.core, user, account.id)
    assert str(refusal.value) == (
        "This account has positions open (ETH/USDT:USDT); sync its wallet once they are closed."
    )
    assert await book_of(harness, account.id) == book
