"""The core's books of a venue account follow what the venue holds.

When the account is added its ledger opens with the venue's balances, and a re-sync books what was transferred
at the venue since (the user deposited or withdrew there). The quote currency comes in as a deposit; a coin with a
market against the quote comes in as a position at its bid then (so its P&L counts from that moment); an asset with
no such market is kept as a balance without a position. A transfer out takes a coin off its position at the
position's average cost.

A futures account's book opens with the collateral its wallet holds (the perpetuals' settle currencies, USDT or
USDC) and a re-sync books the difference as a transfer, both only while no position is open: the venue's figure
then counts the positions' unrealised P&L, which is no transfer. It is refused in hedge mode, and on a venue with
no linear perpetuals.
"""

import json
from collections.abc import AsyncIterator, Iterable, Mapping
from contextlib import asynccontextmanager
from dataclasses import dataclass
from decimal import Decimal

from trading.domain.accounts import Credentials, ExchangeAccount
from trading.domain.enums import OPEN_STATUSES
from trading.domain.errors import (
    AuthenticationFailed,
    ExchangeError,
    ExchangeUnavailable,
    InvalidInput,
    UnknownSymbol,
)
from trading.domain.futures import MarketType, PositionMode
from trading.domain.futures_ledger import FuturesBook
from trading.domain.ledger import ZERO, Ledger
from trading.ports import DerivativesGateway, ExchangeGateway, UnitOfWork
from trading.usecases.core import Core, account_of
from trading.usecases.routing import derivatives

BOOKS_MOVED = "The account's books changed while its venue was read; sync again."


@dataclass(frozen=True, slots=True)
class Transfer:
    """What moved into (positive) or out of (negative) the account at the venue; `cost` is what a coin brought
    in is booked at, in the quote (None for the quote itself and for an asset kept without a position)."""

    asset: str
    amount: Decimal
    cost: Decimal | None = None


async def opening_ledger(
    core: Core, exchange: str, testnet: bool, credentials: Credentials
) -> tuple[Ledger, tuple[Transfer, ...]]:
    """The ledger of an account not stored yet, read from the venue with its keys. A refusal of the keys or a
    venue out of reach raises one sentence that says which."""
    async with keys_on_trial(core, exchange, testnet, credentials, MarketType.SPOT) as gateway:
        return await _booked(gateway, Ledger(), core.config.paper_quote)


async def opening_book(core: Core, exchange: str, testnet: bool, credentials: Credentials) -> FuturesBook:
    """The book of a futures account not stored yet, its wallet read from the venue's derivatives API with its
    keys. Refused, in one sentence that says what to change: keys the venue refuses, a venue out of reach or with
    no linear perpetuals, an account in hedge mode or with positions open."""
    venue = exchange.capitalize()
    async with keys_on_trial(core, exchange, testnet, credentials, MarketType.FUTURES) as gateway:
        if not isinstance(gateway, DerivativesGateway) or not await gateway.markets():
            raise InvalidInput(
                f"{venue} has no linear perpetual futures (USDT- or USDC-settled swaps) that tsbot trades; add it "
                "as a spot account, or choose a futures venue such as binanceusdm or bybit."
            )
        wallet = await _holdings(gateway)
        if await gateway.position_mode() is PositionMode.HEDGE:
            raise InvalidInput(
                f"Your {venue} account is in hedge mode, which tsbot does not trade; switch its position mode to "
                "one-way at the venue, then add it again."
            )
        held = [position.symbol for position in await gateway.positions()]
        _refuse_positions(f"Your {venue} account", held, "add it once they are closed there")
    return _wallet_synced(FuturesBook(), wallet)[0]


@asynccontextmanager
async def keys_on_trial(
    core: Core, exchange: str, testnet: bool, credentials: Credentials, market_type: MarketType
) -> AsyncIterator[ExchangeGateway]:
    """A gateway on the venue for keys not stored yet, closed after; the venue refusing the keys, or out of
    reach, raises one sentence that says which."""
    venue = exchange.capitalize()
    gateway = await core.exchanges.open_gateway(exchange, testnet, credentials, market_type)
    try:
        yield gateway
    except AuthenticationFailed as error:
        raise InvalidInput(f"{venue} refused these API keys: {_venue_words(error)}.") from error
    except ExchangeError as error:
        if error.retryable:
            raise ExchangeUnavailable(f"{venue} could not be reached; try again.") from error
        raise
    finally:
        await gateway.close()


async def sync_venue_balances(core: Core, user_id: int, account_id: int) -> tuple[Transfer, ...]:
    """Book the difference between the venue's totals and the ledger's balances as transfers in or out.

    Refused while the account has live orders: a fill racing the read would be counted by the venue's totals and
    booked again from the order. Checked before the read and again under the ledger's lock, before booking."""
    async with core.uow(read_only=True) as uow:
        account = await account_of(uow, user_id, account_id)
        await _refuse_live_orders(uow, account)
    if account.is_paper:
        raise InvalidInput("A paper account has no venue to sync with; fund it with a deposit.")
    if account.is_futures:
        return await _sync_wallet(core, account)
    gateway = await core.exchanges.gateway(account)
    async with core.uow(read_only=True) as uow:
        before = await uow.ledgers.load(account.id)
    # The venue is read outside the transaction; what it shows is booked against the ledger as locked below.
    holdings = await _holdings(gateway)
    async with core.uow() as uow:
        ledger = await uow.ledgers.load(account.id, for_update=True)
        await _refuse_live_orders(uow, account)
        if ledger != before:
            raise InvalidInput(BOOKS_MOVED)
        synced, transfers = await _book(gateway, ledger, holdings, core.config.paper_quote)
        if transfers:
            await uow.ledgers.save(account.id, synced)
            await uow.commit()
    return transfers


async def _sync_wallet(core: Core, account: ExchangeAccount) -> tuple[Transfer, ...]:
    """A futures account's wallet against the venue's, while no position is open (in the books or there)."""
    gateway = await derivatives(core, account.id)
    async with core.uow(read_only=True) as uow:
        before = await uow.futures_books.load(account.id)
    then = "sync its wallet once they are closed"
    _refuse_positions("This account", before.positions, then)
    _refuse_positions("This account", [p.symbol for p in await gateway.positions()], then)
    holdings = await _holdings(gateway)
    async with core.uow() as uow:
        book = await uow.futures_books.load(account.id, for_update=True)
        await _refuse_live_orders(uow, account)
        if book != before:
            raise InvalidInput(BOOKS_MOVED)
        synced, transfers = _wallet_synced(book, holdings)
        if transfers:
            await uow.futures_books.save(account.id, synced)
            await uow.commit()
    return transfers


def _refuse_positions(holder: str, symbols: Iterable[str], then: str) -> None:
    """Positions open: the venue's wallet figure then moves with their P&L, which is no transfer."""
    held = ", ".join(sorted(symbols))
    if held:
        raise InvalidInput(f"{holder} has positions open ({held}); {then}.")


def _wallet_synced(
    book: FuturesBook, holdings: Mapping[str, Decimal]
) -> tuple[FuturesBook, tuple[Transfer, ...]]:
    """The book with the difference between its wallet and the venue's booked as transfers, and those."""
    transfers: list[Transfer] = []
    for currency in sorted(set(holdings) | {c for c, amount in book.wallets.items() if amount}):
        difference = holdings.get(currency, ZERO) - book.wallet(currency)
        if difference > 0:
            book = book.deposit(currency, difference)
        elif difference < 0:
            book = book.withdraw(currency, -difference)
        if difference:
            transfers.append(Transfer(currency, difference))
    return book, tuple(transfers)


async def has_live_orders(uow: UnitOfWork, account: ExchangeAccount) -> bool:
    # Orders a fill may still come from: while one is live, a read of the venue could count a fill the core
    # books too.
    return bool(await uow.orders.for_account(account.id, OPEN_STATUSES))


async def _refuse_live_orders(uow: UnitOfWork, account: ExchangeAccount) -> None:
    if await has_live_orders(uow, account):
        raise InvalidInput(
            "This account has orders in flight; sync its balances once they have filled or been cancelled."
        )


async def _holdings(gateway: ExchangeGateway) -> dict[str, Decimal]:
    return {asset: balance.total for asset, balance in (await gateway.balances()).items()}


async def _booked(
    gateway: ExchangeGateway, ledger: Ledger, quote: str
) -> tuple[Ledger, tuple[Transfer, ...]]:
    return await _book(gateway, ledger, await _holdings(gateway), quote)


async def _book(
    gateway: ExchangeGateway, ledger: Ledger, holdings: Mapping[str, Decimal], quote: str
) -> tuple[Ledger, tuple[Transfer, ...]]:
    """The ledger with the difference to `holdings` booked, and the transfers that made it."""
    transfers: list[Transfer] = []
    for asset in sorted(set(holdings) | {a for a, amount in ledger.balances.items() if amount}):
        difference = holdings.get(asset, ZERO) - ledger.balance(asset)
        if not difference:
            continue
        symbol = f"{asset}/{quote}"
        if difference < 0:
            ledger = ledger.withdraw(asset, -difference, None if asset == quote else symbol)
            transfers.append(Transfer(asset, difference))
            continue
        bid = None if asset == quote else await _bid(gateway, symbol)
        if bid is None:
            ledger = ledger.deposit(asset, difference)
            transfers.append(Transfer(asset, difference))
        else:
            cost = difference * bid
            ledger = ledger.open_position(symbol, difference, cost)
            transfers.append(Transfer(asset, difference, cost))
    return ledger, tuple(transfers)


async def _bid(gateway: ExchangeGateway, symbol: str) -> Decimal | None:
    """The bid of `symbol` at the venue, None where it lists no such market."""
    try:
        market = await gateway.market(symbol)
    except UnknownSymbol:
        return None
    return (await gateway.ticker(market.symbol)).bid


def _venue_words(error: AuthenticationFailed) -> str:
    """The venue's own reason (ccxt carries its JSON answer, as in Binance's {"msg": "Invalid API-key, IP, or
    permissions for action."} or Bybit's {"retMsg": "API key is invalid."}), or a hint where there is none."""
    text = str(error.__cause__ or "")
    start = text.find("{")
    try:
        answer = json.loads(text[start:]) if start >= 0 else None
    except ValueError:
        answer = None
    if isinstance(answer, dict):
        for key in ("msg", "retMsg", "message", "error"):
            words = answer.get(key)
            if isinstance(words, list):
                words = "; ".join(str(w) for w in words)
            if isinstance(words, str) and words.strip():
                return words.strip().rstrip(".")
    return "check the key, its secret and its permissions"
