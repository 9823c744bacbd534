from decimal import Decimal

from nlp.rebalance import read_rebalance


def test_shares_are_read_either_way_round() -> None:
    assert read_rebalance("rebalance to 50% btc 30% eth 20% usdt") == {
        "BTC": Decimal(50),
        "ETH": Decimal(30),
        "USDT": Decimal(20),
    }
    assert read_rebalance("Rebalance my portfolio into btc 60%, eth 40%") == {
        "BTC": Decimal(60),
        "ETH": Decimal(40),
    }


def test_shares_that_do_not_make_100_are_refused_with_their_sum() -> None:
    assert (
        read_rebalance("rebalance to 50% btc 30% eth")
        == "The shares add up to 80%, not 100%: nothing was done."
    )
    assert "Say the shares" in str(read_rebalance("rebalance"))


def test_other_messages_are_no_rebalance() -> None:
    assert read_rebalance("buy 50% btc") is None


def test_a_report_on_a_schedule_is_read() -> None:
    from datetime import time

    from nlp.reports import read_report_schedule
    from nlp.schedules import Repeat

    assert read_report_schedule("every day at 9 send my pnl") == ("pnl", Repeat("day", at=time(9, 0)))
    assert read_report_schedule("weekly summary") == ("summary", Repeat("week"))
    assert read_report_schedule("send my pnl") is None
    assert read_report_schedule("buy 50 usdt of btc every monday") is None
