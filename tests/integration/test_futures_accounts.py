"""An exchange account has a market type: a new user on the paper exchange gets a paper futures account beside
the paper one, funded the same; spot requests keep going to the spot one."""

from decimal import Decimal

import pytest

from tests.fakes import ManualClock
from tests.harness import Harness, make_harness
from trading.domain.accounts import PAPER
from trading.domain.errors import InvalidInput, NotFound
from trading.domain.futures import MarketType
from trading.usecases.core import account_of
from trading.usecases.exchange_accounts import add_account, remove_account
from trading.usecases.portfolio import portfolio


async def test_a_new_user_has_a_paper_spot_and_a_paper_futures_account_both_funded(harness: Harness) -> None:
    user, first = await harness.user()
    async with harness.core.uow(read_only=True) as uow:
        spot, futures = await uow.accounts.for_user(user)
        books = {a.id: await uow.ledgers.load(a.id) for a in (spot, futures)}
    assert first == spot and (spot.label, spot.market_type) == ("Paper", MarketType.SPOT)
    assert (futures.label, futures.market_type, futures.exchange) == (
        "Paper futures",
        MarketType.FUTURES,
        PAPER,
    )
    for account in (spot, futures):
        assert books[account.id].deposits == {"USDT": Decimal(10_000)}
        venue = await (await harness.exchanges.gateway(account)).balances()
        assert venue["USDT"].total == Decimal(10_000)
    assert (await portfolio(harness.core, user)).account_id == spot.id  # spot stays the default


async def test_without_paper_futures_a_new_user_has_the_spot_account_only(database_url: str) -> None:
    harness = make_harness(database_url, ManualClock(), paper_futures=False)
    try:
        user, account = await harness.user("spot only", 5)
        async with harness.core.uow(read_only=True) as uow:
            assert await uow.accounts.for_user(user) == (account,)
            with pytest.raises(NotFound, match="no futures exchange account: add one with /accounts"):
                await account_of(uow, user, None, MarketType.FUTURES)
    finally:
        await harness.close()


async def test_a_futures_account_on_a_venue_needs_its_keys_and_the_first_spot_one_is_the_default(
    harness: Harness,
) -> None:
    user, spot = await harness.user()
    with pytest.raises(InvalidInput, match="An account on binance needs its API key and secret"):
        await add_account(harness.core, user, "binance", "Binance", market_type=MarketType.FUTURES)
    more = await add_account(harness.core, user, PAPER, "More futures", market_type=MarketType.FUTURES)
    assert more.is_futures
    await remove_account(harness.core, user, spot.id)
    async with harness.core.uow(read_only=True) as uow:
        with pytest.raises(NotFound, match="no spot exchange account"):
            await account_of(uow, user, None)
        assert (await account_of(uow, user, None, MarketType.FUTURES)).label == "Paper futures"
