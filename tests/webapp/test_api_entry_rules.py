"""A source's entry rules over HTTP: read, replaced, refused when wrong, and splitting the source's next plan."""

from datetime import datetime
from decimal import Decimal

from tests.webapp.conftest import Api
from trading.domain.enums import Side
from trading.domain.signals import SignalSpec
from trading.usecases.signals import receive_signal

D = Decimal


async def test_entry_rules_are_set_by_api_and_split_the_next_plan(api: Api) -> None:
    headers = await api.sign_in(6101)
    me = await api.json("GET", "/api/v1/me", headers)
    ask = D((await api.json("GET", "/api/v1/markets/ticker?symbol=ETH", headers))["ask"])
    entries = tuple((ask * D(f"0.9{i}")).quantize(D("0.01")) for i in (8, 7, 6))
    spec = SignalSpec("ETH", Side.BUY, entries, ((ask * D("1.1")).quantize(D("0.01")),), (ask * D("0.9")))
    received = await receive_signal(api.harness.core, me["id"], "-100778", "Beta Calls", "ladder", spec)
    source = received.signal.source_id
    url = f"/api/v1/signals/sources/{source}/entry-rules"

    shown = await api.json("GET", url, headers)
    assert shown["title"] == "Beta Calls" and shown["rules"]["split"] == "evenly"
    assert shown["rules"]["expiry_minutes"] is None
    body = {
        "split": "custom",
        "ratios": ["50", "30", "20"],
        "expiry_minutes": 1440,
        "cancel_on_stop_before_entry": True,
    }
    saved = await api.json("PUT", url, headers, json=body)
    assert [D(r) for r in saved["rules"]["ratios"]] == [50, 30, 20] and saved["rules"][
        "expiry_minutes"
    ] == 1440
    assert (await api.json("GET", url, headers))["rules"] == saved["rules"]

    refused = await api.client.put(url, headers=headers, json={"split": "evenly", "ratios": ["1", "2"]})
    assert refused.status_code == 400 and "custom split" in refused.json()["detail"]
    wide = await api.client.put(url, headers=headers, json={"grace_percent": "25"})
    assert wide.status_code == 400 and "between 0% and 10%" in wide.json()["detail"]
    other = await api.sign_in(6102)
    assert (await api.client.get(url, headers=other)).status_code == 404

    plan = await api.json(
        "POST", f"/api/v1/signals/{received.signal.id}/plan", headers, json={"amount": "1000"}
    )
    assert plan["split"] == "custom (50/30/20)"
    costs = [D(e["preview"]["cost"]) for e in plan["entries"]]
    assert [round(c / 100) for c in costs] == [5, 3, 2]


async def test_each_bad_field_is_refused_in_a_sentence_naming_it_and_nothing_changes(api: Api) -> None:
    headers = await api.sign_in(6103)
    me = await api.json("GET", "/api/v1/me", headers)
    spec = SignalSpec("ETH", Side.BUY, (D(100), D(90)), (D(200),), D(50))
    received = await receive_signal(api.harness.core, me["id"], "-100779", "Gamma Calls", "ladder", spec)
    url = f"/api/v1/signals/sources/{received.signal.source_id}/entry-rules"
    kept = await api.json("PUT", url, headers, json={"expiry_minutes": 60, "grace_percent": "1"})
    expiry = "Entries must expire after a whole number of minutes from 1 to 43,200 (30 days), or never"
    on_or_off = "must be on or off (true or false)."
    refusals = [
        ({"split": "fast"}, "The split must be evenly, weighted-first, weighted-last or custom."),
        (
            {"split": "custom", "ratios": ["50", "a"]},
            "Every ratio of a custom split must be a number above 0",
        ),
        ({"split": "custom", "ratios": ["50", "0"]}, "Every ratio of a custom split must be above 0"),
        ({"split": "custom", "ratios": ["50", "NaN"]}, "Every ratio of a custom split must be above 0"),
        ({"first_at_market": "yes"}, f"First entry at market {on_or_off}"),
        ({"grace_percent": "lots"}, "The entry grace must be a number between 0% and 10%."),
        ({"grace_percent": "Infinity"}, "The entry grace must be between 0% and 10%."),
        ({"grace_percent": "-1"}, "The entry grace must be between 0% and 10%."),
        ({"expiry_minutes": 0}, expiry),
        ({"expiry_minutes": 43_201}, expiry),
        ({"expiry_minutes": 10**30}, expiry),
        ({"expiry_minutes": "soon"}, expiry),
        (
            {"close_on_target_before_entry": "maybe"},
            f"Close if a target is reached before any entry fills {on_or_off}",
        ),
        ({"cancel_on_stop_before_entry": "on"}, f"Cancel if the stop is hit before entry {on_or_off}"),
        (
            {"trailing_entry_percent": "lots"},
            "The trailing entry must be a percentage above 0 and at most 50, or off (left empty).",
        ),
        ({"trailing_entry_percent": "0"}, "A trailing entry needs a percentage above 0 and at most 50."),
        ({"trailing_entry_percent": "60"}, "A trailing entry needs a percentage above 0 and at most 50."),
        ({"trailing_entry_percent": "NaN"}, "A trailing entry needs a percentage above 0 and at most 50."),
    ]
    for body, sentence in refusals:
        refused = await api.client.put(url, headers=headers, json=body)
        assert refused.status_code == 400, (body, refused.text)
        assert refused.json()["detail"].startswith(sentence), (body, refused.text)
        assert "Expected" not in refused.text and "$." not in refused.text
    assert await api.json("GET", url, headers) == kept
    # A fault of no field of the rules is still told as the decoder tells it.
    unknown = await api.client.put(url, headers=headers, json={"expiry": 60})
    assert unknown.status_code == 400 and "unknown field `expiry`" in unknown.text


async def test_a_trailing_entry_is_set_by_api_shown_and_previewed_per_entry(api: Api) -> None:
    headers = await api.sign_in(6104)
    me = await api.json("GET", "/api/v1/me", headers)
    ask = D((await api.json("GET", "/api/v1/markets/ticker?symbol=ETH", headers))["ask"])
    entries = (ask, (ask * D("0.95")).quantize(D("0.01")), (ask * D("0.9")).quantize(D("0.01")))
    spec = SignalSpec("ETH", Side.BUY, entries, ((ask * D("1.1")).quantize(D("0.01")),), ask * D("0.8"))
    received = await receive_signal(api.harness.core, me["id"], "-100780", "Delta Calls", "ladder", spec)
    url = f"/api/v1/signals/sources/{received.signal.source_id}/entry-rules"
    assert (await api.json("GET", url, headers))["rules"]["trailing_entry_percent"] is None
    saved = await api.json("PUT", url, headers, json={"trailing_entry_percent": "2.5"})
    assert D(saved["rules"]["trailing_entry_percent"]) == D("2.5")
    assert D((await api.json("GET", url, headers))["rules"]["trailing_entry_percent"]) == D("2.5")

    plan = await api.json(
        "POST", f"/api/v1/signals/{received.signal.id}/plan", headers, json={"amount": "1000"}
    )
    trailing = [e["preview"]["trailing_entry_percent"] for e in plan["entries"]]
    assert trailing[0] is None and [D(t) for t in trailing[1:]] == [D("2.5")] * 2
    assert [e["type"] for e in plan["entries"]] == ["market"] * 3 and plan["entries"][1]["price"] is None
    assert plan["expires_at"] == min(
        e["expires_at"] for e in plan["entries"]
    )  # the Follow window: the market entry's
    assert plan["entries"][1]["expires_at"] > plan["expires_at"]  # a trailing entry's buy waits longer
    assert plan["notes"] == [
        f"Entry 2: trailing entry 2.5% armed at {entries[1]:,}",
        f"Entry 3: trailing entry 2.5% armed at {entries[2]:,}",
    ]
    followed = await api.json("POST", f"/api/v1/signals/{received.signal.id}/follow", headers)
    assert followed["armed"] == [e["draft_id"] for e in plan["entries"][1:]]
    assert len(followed["orders"]) == 1  # the entry at market; the others wait for their turn
    below = SignalSpec("ETH", Side.BUY, entries[1:], spec.targets, spec.stop_loss)
    lower = await receive_signal(api.harness.core, me["id"], "-100780", "Delta Calls", "below", below)
    waiting = await api.json(
        "POST", f"/api/v1/signals/{lower.signal.id}/plan", headers, json={"amount": "1000"}
    )
    ttl = api.harness.core.config.draft_ttl
    follow_by, buys_by = (
        datetime.fromisoformat(t) for t in (waiting["expires_at"], waiting["entries"][0]["expires_at"])
    )
    assert buys_by - follow_by > ttl  # Follow within the drafts' life; its buys wait far longer
    off = await api.json("PUT", url, headers, json={})
    assert off["rules"]["trailing_entry_percent"] is None
