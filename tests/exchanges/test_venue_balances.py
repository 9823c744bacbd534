"""A venue account's books start from the venue's balances and follow later transfers made there: ccxt's real
client against the Binance and Kraken stand-ins, through the app's own Exchanges, on a real database.

The stand-in Binance account holds 10,000 USDT and 0.5 BTC, its BTC market at 50000 / 50010.
"""

from dataclasses import dataclass, replace
from decimal import Decimal
from typing import Any

import pytest
from sqlalchemy import select

from storage.models import BalanceRow
from tests.exchanges.conftest import Venue
from tests.harness import Harness
from trading.domain.accounts import Credentials, ExchangeAccount
from trading.domain.enums import OrderStatus, OrderType, Side
from trading.domain.errors import ExchangeUnavailable, InvalidInput
from trading.domain.intents import OrderIntent
from trading.domain.ledger import Ledger
from trading.domain.orders import Order
from trading.usecases.accounts import register_user
from trading.usecases.drafting import draft_order
from trading.usecases.exchange_accounts import add_account
from trading.usecases.execution import cancel_order, confirm_draft
from trading.usecases.portfolio import portfolio
from trading.usecases.venue_balances import Transfer, sync_venue_balances

D = Decimal


def reach(harness: Harness, venue: Venue, **overrides: Any) -> None:
    """The app's Exchanges reach the venue's stand-in instead of the venue."""
    harness.exchanges.venue_config = lambda exchange, testnet: venue.config(testnet=testnet, **overrides)


@dataclass
class Account:
    harness: Harness
    user: int
    account: ExchangeAccount
    venue: Venue

    async def ledger(self) -> Ledger:
        async with self.harness.core.uow(read_only=True) as uow:
            return await uow.ledgers.load(self.account.id)

    async def order(self, side: Side, quantity: str, price: str | None = None) -> Order:
        limit: dict[str, Any] = {"order_type": OrderType.LIMIT, "price": D(price)} if price else {}
        intent = OrderIntent("BTC", side, D(quantity), quote="USDT", **limit)
        draft = await draft_order(self.harness.core, self.user, intent, self.account.id)
        return await confirm_draft(self.harness.core, self.user, draft.id)

    async def sync(self) -> tuple[Transfer, ...]:
        return await sync_venue_balances(self.harness.core, self.user, self.account.id)


@pytest.fixture
async def binance(harness: Harness, binance_venue: Venue) -> Account:
    reach(harness, binance_venue)
    user, _ = await harness.user()
    account = await add_account(
        harness.core, user, "binance", "Binance", credentials=binance_venue.credentials
    )
    return Account(harness, user, account, binance_venue)


async def test_an_added_account_opens_with_what_the_venue_holds(binance: Account) -> None:
    ledger = await binance.ledger()
    assert ledger.balances == {"USDT": D(10_000), "BTC": D("0.5")}
    btc = ledger.positions["BTC/USDT"]
    assert (btc.quantity, btc.cost) == (D("0.5"), D("0.5") * 50_000)  # at the bid when it was added
    assert ledger.deposits == {"USDT": D(10_000) + D(25_000)}

    view = await portfolio(binance.harness.core, binance.user, binance.account.id)
    assert view.cash == D(10_000) and view.unrealised_pnl == 0
    assert [(p.symbol, p.quantity, p.average_cost) for p in view.positions] == [
        ("BTC/USDT", D("0.5"), D(50_000))
    ]


@pytest.mark.parametrize(
    "credentials, refusal",
    [
        (Credentials("not-the-key", "whatever"), "Invalid API-key, IP, or permissions for action"),
        (Credentials("standin-binance-key", "wrong-secret"), "Signature for this request is not valid"),
    ],
)
async def test_keys_the_venue_refuses_add_nothing(
    harness: Harness, binance_venue: Venue, credentials: Credentials, refusal: str
) -> None:
    reach(harness, binance_venue)
    user, _ = await harness.user()
    before = await harness.counts()
    with pytest.raises(InvalidInput) as refused:
        await add_account(harness.core, user, "binance", "Binance", credentials=credentials)
    assert refused.value.message == f"Binance refused these API keys: {refusal}."
    assert await harness.counts() == before


async def test_a_venue_out_of_reach_adds_nothing(harness: Harness, binance_venue: Venue) -> None:
    reach(harness, binance_venue, api_urls="http://127.0.0.1:9")  # nothing listens there
    user, _ = await harness.user()
    before = await harness.counts()
    with pytest.raises(ExchangeUnavailable) as unavailable:
        await add_account(harness.core, user, "binance", "Binance", credentials=binance_venue.credentials)
    assert unavailable.value.message == "Binance could not be reached; try again."
    assert await harness.counts() == before


async def test_a_buy_fills_and_books_on_the_opening_balances(binance: Account) -> None:
    order = await binance.order(Side.BUY, "0.1")
    assert order.status is OrderStatus.FILLED and order.average_price == D(50_010)
    ledger = await binance.ledger()
    cost = D("0.1") * 50_010
    assert ledger.balance("USDT") == D(10_000) - cost - order.fee
    btc = ledger.positions["BTC/USDT"]
    assert (btc.quantity, btc.cost) == (D("0.6"), D(25_000) + cost)
    assert ledger.balance("USDT") == binance.venue.account.free["USDT"]


async def test_a_sale_of_the_coins_brought_in_realises_against_their_opening_cost(binance: Account) -> None:
    binance.venue.account.move("BTCUSDT", D(55_000), D(55_010))
    order = await binance.order(Side.SELL, "0.2")
    assert order.status is OrderStatus.FILLED and order.average_price == D(55_000)
    ledger = await binance.ledger()
    btc = ledger.positions["BTC/USDT"]
    assert (btc.quantity, btc.cost, btc.realised_pnl) == (D("0.3"), D(15_000), D("0.2") * 5_000)
    assert ledger.realised_pnl["USDT"] == D(1_000)
    assert ledger.balance("USDT") == D(10_000) + D(11_000) - order.fee


async def test_a_sync_books_transfers_made_at_the_venue(binance: Account) -> None:
    assert await binance.sync() == ()  # nothing moved yet
    binance.venue.account.transfer("USDT", D(500))
    binance.venue.account.transfer("BTC", D("-0.1"))
    binance.venue.account.transfer("ETH", D(2))
    binance.venue.account.transfer("DOGE", D(100))  # no DOGE market at the stand-in

    transfers = await binance.sync()
    assert transfers == (
        Transfer("BTC", D("-0.1")),
        Transfer("DOGE", D(100)),
        Transfer("ETH", D(2), D(6_000)),  # at its bid
        Transfer("USDT", D(500)),
    )
    ledger = await binance.ledger()
    assert ledger.balances == {"USDT": D(10_500), "BTC": D("0.4"), "ETH": D(2), "DOGE": D(100)}
    btc, eth = ledger.positions["BTC/USDT"], ledger.positions["ETH/USDT"]
    assert (btc.quantity, btc.cost, btc.realised_pnl) == (D("0.4"), D(20_000), D(0))  # at average cost
    assert (eth.quantity, eth.cost) == (D(2), D(6_000))
    assert "DOGE/USDT" not in ledger.positions
    assert ledger.deposits == {"USDT": D(10_500) + D(20_000) + D(6_000), "DOGE": D(100)}
    assert await binance.sync() == ()  # booked once

    binance.venue.account.transfer("USDT", D(-10_500))
    assert await binance.sync() == (Transfer("USDT", D(-10_500)),)
    assert (await binance.ledger()).balance("USDT") == 0


async def test_a_sync_is_refused_while_an_order_is_live(binance: Account) -> None:
    resting = await binance.order(Side.BUY, "0.01", price="40000")
    assert resting.status is OrderStatus.OPEN
    binance.venue.account.transfer("USDT", D(500))
    before = await binance.ledger()
    with pytest.raises(InvalidInput) as refused:
        await binance.sync()
    assert refused.value.message == (
        "This account has orders in flight; sync its balances once they have filled or been cancelled."
    )
    assert await binance.ledger() == before

    await cancel_order(binance.harness.core, binance.user, resting.id)
    assert await binance.sync() == (Transfer("USDT", D(500)),)


async def test_a_paper_account_does_not_sync(harness: Harness) -> None:
    user, paper = await harness.user()
    with pytest.raises(InvalidInput, match="paper account"):
        await sync_venue_balances(harness.core, user, paper.id)


async def test_assets_with_no_market_against_the_quote_are_kept_as_balances(
    harness: Harness, kraken_venue: Venue
) -> None:
    """Kraken's stand-in lists BTC/USD and ETH/USD only: against the core's USDT, its USD and BTC have no
    market, so they come in as balances without a position."""
    reach(harness, kraken_venue)
    user, _ = await harness.user()
    account = await add_account(harness.core, user, "kraken", "Kraken", credentials=kraken_venue.credentials)
    async with harness.core.uow(read_only=True) as uow:
        ledger = await uow.ledgers.load(account.id)
    assert ledger.balances == {"USD": D(10_000), "BTC": D("0.5")}
    assert ledger.deposits == ledger.balances and not ledger.open_positions()
    async with harness.engine.connect() as connection:
        stored = (
            await connection.execute(
                select(BalanceRow.asset, BalanceRow.total).where(BalanceRow.account_id == account.id)
            )
        ).all()
    assert {asset: D(total) for asset, total in stored} == {"USD": D(10_000), "BTC": D("0.5")}


async def test_a_new_user_on_the_operators_venue_starts_with_its_books_open(
    harness: Harness, binance_venue: Venue
) -> None:
    reach(harness, binance_venue)
    core = replace(
        harness.core,
        config=replace(
            harness.core.config, default_exchange="binance", default_credentials=binance_venue.credentials
        ),
    )
    _user, account = await register_user(core, "operator", telegram_id=4242)
    assert account.exchange == "binance" and not account.is_paper
    async with core.uow(read_only=True) as uow:
        ledger = await uow.ledgers.load(account.id)
    assert ledger.balances == {"USDT": D(10_000), "BTC": D("0.5")}
    assert ledger.positions["BTC/USDT"].quantity == D("0.5")
