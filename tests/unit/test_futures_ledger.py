from datetime import UTC, datetime
from decimal import Decimal

import pytest

from trading.domain.enums import Side
from trading.domain.errors import InsufficientFunds, InvalidInput
from trading.domain.futures import MarginMode, PositionSide
from trading.domain.futures_ledger import FuturesBook, FuturesFill

D = Decimal
ETH, BTC = "ETH/USDT:USDT", "BTC/USDT:USDT"
BUY, SELL = Side.BUY, Side.SELL
ISOLATED, CROSS = MarginMode.ISOLATED, MarginMode.CROSS
NOW = datetime(2025, 1, 1, 8, tzinfo=UTC)


def funded(amount: str = "1000") -> FuturesBook:
    return FuturesBook().deposit("USDT", D(amount))


def fill(
    book: FuturesBook,
    symbol: str,
    side: Side,
    quantity: str,
    price: str,
    fee: str = "0",
    leverage: int = 10,
    mode: MarginMode = ISOLATED,
    reduce_only: bool = False,
) -> FuturesFill:
    return book.apply_fill(
        symbol,
        side,
        D(quantity),
        D(price),
        D(fee),
        leverage=D(leverage),
        margin_mode=mode,
        reduce_only=reduce_only,
    )


def balanced(book: FuturesBook, marks: dict[str, Decimal]) -> bool:
    """equity == deposits + realised + unrealised - fees - funding, in USDT."""
    unrealised = sum((p.unrealised_pnl(marks[p.symbol]) for p in book.positions.values()), D(0))
    expected = (
        book.deposits.get("USDT", D(0))
        + book.realised_pnl.get("USDT", D(0))
        + unrealised
        - book.fees_paid.get("USDT", D(0))
        - book.funding_paid.get("USDT", D(0))
    )
    return book.equity("USDT", marks) == expected


def test_a_long_opens_adds_reduces_and_closes_with_its_margin() -> None:
    book = fill(funded(), ETH, BUY, "1", "2000", fee="0.8").book
    assert book.positions[ETH].margin == D(200)  # 2,000 at 10x
    assert book.wallet("USDT") == D("999.2") and book.available("USDT") == D("799.2")
    assert book.equity("USDT", {ETH: D(2100)}) == D("1099.2")

    book = fill(book, ETH, BUY, "1", "2200", fee="0.88").book
    assert book.positions[ETH].entry_price == D(2100) and book.positions[ETH].margin == D(420)

    effect = fill(book, ETH, SELL, "1", "2300", fee="0.92")
    assert effect.realised_pnl == D(200)  # 1 * (2,300 - 2,100)
    position = effect.book.positions[ETH]
    assert (position.size, position.entry_price, position.margin) == (D(1), D(2100), D(210))

    effect = fill(effect.book, ETH, SELL, "1", "2000", fee="0.8")
    assert effect.realised_pnl == D(-100) and ETH not in effect.book.positions
    assert effect.book.wallet("USDT") == D("1096.6")  # 1,000 + 200 - 100 - 3.40 of fees
    assert effect.book.available("USDT") == D("1096.6") and balanced(effect.book, {})


def test_a_short_gains_as_the_price_falls_and_flips_into_a_long() -> None:
    book = fill(funded(), ETH, SELL, "2", "2000", leverage=5, mode=CROSS).book
    assert book.positions[ETH].side is PositionSide.SHORT and book.available("USDT") == D(200)
    assert book.equity("USDT", {ETH: D(1900)}) == D(1200)

    effect = fill(book, ETH, BUY, "1", "1900", leverage=5, mode=CROSS)
    assert effect.realised_pnl == D(100)

    effect = fill(effect.book, ETH, BUY, "3", "1800", leverage=5, mode=CROSS)
    assert effect.realised_pnl == D(200)  # the last short closed at 1,800; the 2 left over open a long
    position = effect.book.positions[ETH]
    assert (position.side, position.size, position.entry_price) == (PositionSide.LONG, D(2), D(1800))
    assert effect.book.available("USDT") == D(1300) - D(720)
    assert balanced(effect.book, {ETH: D(1750)})


def test_an_opening_beyond_the_available_margin_is_refused_with_the_figures() -> None:
    with pytest.raises(
        InsufficientFunds, match=r"needs 200\.00 USDT of margin and a fee of 0\.8 USDT; 100\.00 USDT"
    ):
        fill(funded("100"), ETH, BUY, "1", "2000", fee="0.8")

    book = fill(funded("100"), ETH, BUY, "1", "2000", leverage=25).book  # 80 of margin
    with pytest.raises(InsufficientFunds):  # the flip's 2 short need 160; 100 is free once the long is closed
        fill(book, ETH, SELL, "3", "2000", leverage=25)
    assert fill(book, ETH, SELL, "2", "2000", leverage=25).book.positions[ETH].side is PositionSide.SHORT


def test_reduce_only_never_opens_adds_nor_flips() -> None:
    with pytest.raises(InvalidInput, match="nothing"):
        fill(funded(), ETH, SELL, "1", "2000", reduce_only=True)
    book = fill(funded(), ETH, BUY, "1", "2000").book
    with pytest.raises(InvalidInput, match="only shrink"):
        fill(book, ETH, BUY, "0.1", "2000", reduce_only=True)
    with pytest.raises(InvalidInput, match="1 long"):
        fill(book, ETH, SELL, "1.5", "2000", reduce_only=True)

    book = fill(book, ETH, SELL, "0.4", "2000", reduce_only=True).book
    assert book.positions[ETH].size == D("0.6") and book.positions[ETH].side is PositionSide.LONG
    assert ETH not in fill(book, ETH, SELL, "0.6", "2000", reduce_only=True).book.positions


def test_a_withdrawal_takes_what_margin_does_not_hold_off_the_deposits() -> None:
    book = fill(funded(), ETH, BUY, "1", "2000").book  # 200 of margin in use
    with pytest.raises(InsufficientFunds, match="800 is available"):
        book.withdraw("USDT", D(801))
    with pytest.raises(InvalidInput, match="positive"):
        book.withdraw("USDT", D(0))
    after = book.withdraw("USDT", D(800))
    assert (after.wallet("USDT"), after.deposits["USDT"], after.available("USDT")) == (D(200), D(200), D(0))
    assert balanced(after, {ETH: D(2100)})


def test_leverage_and_margin_mode_hold_for_the_life_of_a_position() -> None:
    book = fill(funded(), ETH, BUY, "0.1", "2000").book
    with pytest.raises(InvalidInput, match="10x isolated"):
        fill(book, ETH, BUY, "0.1", "2000", leverage=20)
    with pytest.raises(InvalidInput, match="10x isolated"):
        fill(book, ETH, BUY, "0.1", "2000", mode=CROSS)


def test_the_bracket_caps_leverage_and_notional() -> None:
    book = funded("10000000000")
    with pytest.raises(InvalidInput, match="at most 100x"):  # 60,000 is past the 125x bracket's 50,000
        fill(book, BTC, BUY, "1", "60000", leverage=125)
    assert fill(book, BTC, BUY, "1", "50000", leverage=125).book.positions[BTC].margin == D(400)
    with pytest.raises(InvalidInput, match="limited to a notional of 1800000000"):
        fill(book, BTC, BUY, "40000", "50000", leverage=1)
    with pytest.raises(InvalidInput, match="1x or more"):
        fill(book, BTC, BUY, "1", "50000", leverage=0)


def test_funding_is_paid_by_longs_from_their_isolated_margin_and_received_by_shorts() -> None:
    book = fill(funded(), ETH, BUY, "2", "2000").book  # 400 of isolated margin
    effect = book.apply_funding(ETH, D("0.0001"), D(2100), NOW)
    assert effect.payment.amount == D("0.42")  # 2 * 2,100 * 0.01%
    assert effect.book.wallet("USDT") == D("999.58") and effect.book.positions[ETH].margin == D("399.58")
    assert effect.book.funding_paid["USDT"] == D("0.42") and balanced(effect.book, {ETH: D(2100)})

    short = fill(funded(), ETH, SELL, "1", "2000", mode=CROSS).book
    received = short.apply_funding(ETH, D("0.0001"), D(2000), NOW)
    assert received.payment.amount == D("-0.2") and received.book.wallet("USDT") == D("1000.2")
    with pytest.raises(InvalidInput, match="no open BTC"):
        short.apply_funding(BTC, D("0.0001"), D(2000), NOW)


def test_an_isolated_liquidation_takes_the_position_margin_and_no_more() -> None:
    book = fill(funded(), BTC, BUY, "1", "20000", leverage=50).book  # 400 of margin
    lp = book.liquidation_price(BTC)
    assert lp is not None and round(lp, 2) == D("19678.71")  # (400 - 20,000) / (0.004 - 1)
    with pytest.raises(InvalidInput, match=r"liquidation price is 19,678\.71"):
        book.liquidate(BTC, D(19_700))

    near = book.liquidate(BTC, D(19_650))  # 350 lost at the mark, the other 50 of the margin to the venue
    assert (near.realised_pnl, near.clearance_fee, near.loss) == (D(-350), D(50), D(400))
    assert near.book.wallet("USDT") == D(600) and BTC not in near.book.positions and balanced(near.book, {})

    gap = book.liquidate(BTC, D(15_000))  # past the bankruptcy price: still 400, the rest is the venue's
    assert (gap.realised_pnl, gap.clearance_fee, gap.loss) == (D(-400), D(0), D(400))
    assert gap.book.wallet("USDT") == D(600) and balanced(gap.book, {})


def test_a_cross_liquidation_takes_at_most_the_cross_wallet_and_spares_isolated_margin() -> None:
    book = fill(funded("1500"), ETH, BUY, "1", "2000", leverage=4).book  # 500 isolated
    book = fill(book, BTC, BUY, "1", "20000", leverage=20, mode=CROSS).book  # 1,000 cross wallet behind it
    lp = book.liquidation_price(BTC, {ETH: D(2000)})
    assert lp is not None and round(lp, 2) == D("19076.31")  # (1,000 - 20,000) / (0.004 - 1)
    assert not book.liquidates(BTC, D(19_100)) and book.liquidates(BTC, D("19076.30"))

    partial = book.liquidate(BTC, D(19_050))
    assert partial.loss == D(950) and partial.book.wallet("USDT") == D(550)
    deficit = book.liquidate(BTC, D(18_000))
    assert deficit.loss == D(1000) and deficit.book.wallet("USDT") == D(500)
    assert deficit.book.positions[ETH].margin == D(500) and balanced(deficit.book, {ETH: D(2000)})


def test_other_cross_positions_count_with_their_marks() -> None:
    book = fill(funded("2000"), BTC, BUY, "1", "20000", leverage=20, mode=CROSS).book
    book = fill(book, ETH, BUY, "1", "2000", leverage=2, mode=CROSS).book
    with pytest.raises(InvalidInput, match="mark price of ETH"):
        book.liquidation_price(BTC)
    # ETH at 2,000 needs 8 of maintenance (0.4%) and has no P&L: (2,000 - 8 - 20,000) / (0.004 - 1).
    lp = book.liquidation_price(BTC, {ETH: D(2000)})
    assert lp is not None and round(lp, 2) == D("18080.32")


def test_a_position_reads_as_the_venue_reports_it() -> None:
    book = fill(funded(), BTC, BUY, "1", "20000", leverage=50).book
    view = book.view(BTC, {BTC: D(19_900)}, NOW)
    assert (view.side, view.size, view.entry_price, view.leverage) == (
        PositionSide.LONG,
        D(1),
        D(20000),
        D(50),
    )
    assert (view.margin, view.unrealised_pnl, view.mark_price) == (D(400), D(-100), D(19_900))
    assert view.liquidation_price is not None and round(view.liquidation_price, 2) == D("19678.71")


@pytest.mark.parametrize(("quantity", "price", "fee"), [("0", "1", "0"), ("1", "0", "0"), ("1", "1", "-1")])
def test_nonsense_is_refused(quantity: str, price: str, fee: str) -> None:
    with pytest.raises(InvalidInput):
        fill(funded(), ETH, BUY, quantity, price, fee)
    with pytest.raises(InvalidInput):
        FuturesBook().deposit("USDT", D(0))
    with pytest.raises(InvalidInput, match="mark price"):
        fill(funded(), ETH, BUY, "1", "2000").book.equity("USDT", {})
