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


def test_a_rebalance_on_a_schedule_or_past_a_drift_is_read_with_its_shares() -> None:
    from datetime import time

    from nlp.rebalance import RebalanceWhen, read_rebalance_when
    from nlp.schedules import Repeat

    halves = {"BTC": Decimal(50), "ETH": Decimal(50)}
    weekly = "rebalance to 50% btc 50% eth every monday"
    assert read_rebalance(weekly) == halves
    assert read_rebalance_when(weekly) == RebalanceWhen(Repeat("week", weekday=0), None)
    assert read_rebalance_when("rebalance to 50% btc 50% eth every month") == RebalanceWhen(
        Repeat("month"), None
    )
    drifting = "rebalance to 50% btc 50% eth when drift over 5%"
    assert read_rebalance(drifting) == halves  # "over 5%" names no coin
    assert read_rebalance_when(drifting) == RebalanceWhen(None, Decimal(5))
    both = "Rebalance into btc 60%, usdt 40% if the drift is above 2.5 points, checked daily at 9:00"
    assert read_rebalance(both) == {"BTC": Decimal(60), "USDT": Decimal(40)}
    assert read_rebalance_when(both) == RebalanceWhen(Repeat("day", at=time(9, 0)), Decimal("2.5"))
    assert read_rebalance_when("rebalance to 50% btc 30% eth 20% usdt") is None  # once, now


def test_a_scheduled_rebalance_may_be_given_a_number_of_runs() -> None:
    from nlp.rebalance import RebalanceWhen, read_rebalance_when
    from nlp.schedules import Repeat

    assert read_rebalance_when("rebalance to 50% btc 50% eth weekly for 10 weeks") == RebalanceWhen(
        Repeat("week", runs=10), None
    )
