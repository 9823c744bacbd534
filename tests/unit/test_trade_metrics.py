"""The trade's metrics' arithmetic and the count of users active."""

from decimal import Decimal

from tests.metrics import sample
from trading.domain.enums import Side
from trading.metrics import ActiveUsers, active_users, slippage_bps
from trading.usecases.order_metrics import count_reconciliation


def test_slippage_is_positive_when_the_fill_is_worse_for_the_trader() -> None:
    assert slippage_bps(Side.BUY, Decimal(100), Decimal("100.5")) == 50.0  # paid more
    assert slippage_bps(Side.SELL, Decimal(100), Decimal("100.5")) == -50.0  # got more
    assert slippage_bps(Side.SELL, Decimal(100), Decimal(99)) == 100.0


def test_users_are_counted_once_each_within_the_windows() -> None:
    users = ActiveUsers()
    for user_id in (1, 2, 1):
        users.seen(user_id)
    assert users.within(3600) == 2 and users.within(86400) == 2


def test_the_gauge_of_users_active_reads_the_process_count() -> None:
    before = sample("tsbot_users_active", window="1h")
    active_users().seen(-424242)  # an id no other test uses
    assert sample("tsbot_users_active", window="1h") == before + 1


def test_a_reconciliation_counts_its_run_and_each_outcome() -> None:
    runs, lost = (
        sample("tsbot_reconciliations_total"),
        sample("tsbot_reconciled_orders_total", outcome="lost"),
    )
    count_reconciliation(found=2, lost=1, unreachable=0)
    assert sample("tsbot_reconciliations_total") == runs + 1
    assert sample("tsbot_reconciled_orders_total", outcome="lost") == lost + 1
