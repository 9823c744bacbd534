"""Stop modes in the chat said otherwise than the README's examples, through the sandbox: a trailing take-profit
with words between, a mode turned off (the stop staying), and what is asked back rather than guessed."""

import re
from dataclasses import replace
from decimal import Decimal

from bot.telegram.runtime import TelegramBot
from handlers.render import HELP
from handlers.stop_modes import HOW_FAR, HOW_FAR_BACK_FROM_BEST, WHICH_COIN
from nlp.pipeline import Pipeline
from tests.bot.sandbox import Sandbox, button
from tests.bot.test_stop_modes_e2e import legs_of
from tests.harness import Harness
from trading.domain.enums import DraftStatus
from trading.usecases.stop_mode_setting import stop_modes_of


async def test_a_trailing_take_profit_said_with_words_between_is_previewed_as_one(
    sandbox: Sandbox, bot: TelegramBot, harness: Harness
) -> None:
    chat = sandbox.chat(561)
    harness.market.set_price("ETH/USDT", Decimal(3000))
    await chat.confirmed("buy 0.01 eth with stop 2800 and targets 3300 3600")
    for said in ("trail my eth take profit 3%", "trail eth tp 3%"):
        [preview] = await chat.ask(said)
        assert preview["text"].startswith("📝 From now on, your ETH position closes on a 3% fall back"), said
        await chat.tap(preview["message_id"], button(preview, "Keep"))
    async with harness.core.uow() as uow:
        user = await uow.users.by_telegram_id(561)
    assert user is not None and await stop_modes_of(harness.core, user.id) == []


async def test_what_a_mode_lacks_is_asked_for_and_a_bad_percentage_answered_with_a_sentence(
    sandbox: Sandbox, bot: TelegramBot, harness: Harness
) -> None:
    chat = sandbox.chat(562)
    await chat.confirmed("buy 0.01 eth with a 5% stop")
    _, _, before = await legs_of(harness, 562)
    for said, answer in (
        ("trail eth", HOW_FAR),
        ("trail eth 3", HOW_FAR),  # no % sign: neither a percentage nor a stop price
        ("trail my eth take profit", HOW_FAR_BACK_FROM_BEST),
        ("trail my stop 3%", WHICH_COIN),
        ("trail my eth stop 300%", "A trailing stop needs a percentage above 0 and at most 50."),
    ):
        [reply] = await chat.ask(said)
        assert reply["text"] == answer, said
    [two] = await chat.ask("trail eth and btc 3%")
    assert "it names ETH and BTC: I change one stop at a time" in two["text"]
    user, _, after = await legs_of(harness, 562)
    assert after == before and await stop_modes_of(harness.core, user) == []


async def test_a_mode_turned_off_in_the_chat_ends_and_its_stop_stays(
    sandbox: Sandbox, bot: TelegramBot, harness: Harness
) -> None:
    chat = sandbox.chat(563)
    await chat.confirmed("buy 0.01 eth with a 5% stop")
    [none] = await chat.ask("stop trailing my eth")
    assert none["text"] == "No stop mode is in force on ETH: nothing changes."
    [preview] = await chat.ask("trail eth 3%")
    await chat.tap(preview["message_id"], button(preview, "Confirm"))
    user, _, trailed = await legs_of(harness, 563)
    [other] = await chat.ask("remove the moving target on eth")  # another kind: refused, left as it is
    assert other["text"] == "That is your trailing stop on ETH/USDT, not a moving target: it stays as it was."
    assert len(await stop_modes_of(harness.core, user)) == 1
    [held] = await chat.ask("portfolio")
    assert re.search(r"\n• ETH/USDT: 0\.01 at [^\n]*\), the stop trailing 3%\n", held["text"]), held["text"]
    [listed] = await chat.ask("orders")
    assert listed["text"].endswith(
        "\n\nStops that move:\n• ETH/USDT: your ETH stop trails 3% below the highest price since it was set\n"
        "To end one, say e.g. 'turn off the trailing stop on ETH': the stop stays."
    )
    [off] = await chat.ask("turn off the trailing stop on eth")
    assert off["text"] == "✅ Your trailing stop on ETH/USDT is off: the stop stays where it is."
    assert await stop_modes_of(harness.core, user) == []
    assert (await legs_of(harness, 563))[2] == trailed
    [listed] = await chat.ask("orders")
    assert "Stops that move" not in listed["text"]
    [held] = await chat.ask("portfolio")
    assert "• ETH/USDT: 0.01 at " in held["text"] and "trailing" not in held["text"]


async def test_a_trailing_entry_ended_in_the_chat_cancels_its_buy_and_several_are_left_to_pick(
    sandbox: Sandbox, bot: TelegramBot, harness: Harness
) -> None:
    chat = sandbox.chat(564)
    harness.market.set_price("ETH/USDT", Decimal(3000))
    harness.market.set_price("BTC/USDT", Decimal(60000))
    [which] = await chat.ask("cancel my trailing buy")
    assert which["text"] == "Which coin's trailing entry? Say e.g. 'cancel my trailing buy on ETH'."
    [none] = await chat.ask("stop trailing buy on eth")
    assert none["text"] == "No trailing entry is waiting on ETH: nothing changes."
    for said in ("trailing buy 0.1 eth 2%", "trailing buy 0.001 btc 2%"):
        [preview] = await chat.ask(said)
        await chat.tap(preview["message_id"], button(preview, "Confirm"))
    async with harness.core.uow() as uow:
        user = await uow.users.by_telegram_id(564)
        assert user is not None
        accounts = await uow.accounts.for_user(user.id)
        records = await uow.stop_modes.of_user(user.id)
        [eth] = [r for r in records if r.symbol == "ETH/USDT"]
        other = next(a.id for a in accounts if a.id != eth.account_id)
        await uow.stop_modes.add(replace(eth, id="second-eth-entry", account_id=other))  # on another account
        await uow.stop_modes.confirm("second-eth-entry", user.id, eth.created_at)
        await uow.commit()
    [two] = await chat.ask("cancel my trailing buy on eth")
    assert (
        two["text"]
        == "2 trailing entries wait on ETH: tap Cancel beside the one to end in /orders. Nothing changes."
    )
    [ended] = await chat.ask("stop trailing buy on btc")
    assert ended["text"] == "✅ Your trailing entry on BTC/USDT is off: nothing will be bought."
    assert sorted(r.id for r in await stop_modes_of(harness.core, user.id)) == sorted(
        [eth.id, "second-eth-entry"]
    )
    [btc] = [r for r in records if r.symbol == "BTC/USDT"]
    async with harness.core.uow() as uow:
        draft = await uow.drafts.get(btc.id)
    assert draft is not None and draft.status is DraftStatus.CANCELLED  # its buy ended with it


def test_help_gives_stop_modes_each_read_as_the_mode_it_names() -> None:
    """A new user learns the stop modes from /help: each example there must do what it says."""
    [line] = [line for line in HELP.splitlines() if line.startswith("• stops that move: ")]
    examples = line.removeprefix("• stops that move: ").split("  ·  ")
    read = [Pipeline(use_classifier=False).parse(example) for example in examples]
    assert [(r.intent, r.symbol, r.should_ask_back) for r in read] == [("set_stop_loss", "ETH", False)] * 5
    named = [("trailing" if r.trailing else r.stop_mode, r.stop_loss_percent, r.stop_mode_off) for r in read]
    assert named == [
        ("trailing", Decimal(3), False),
        ("break_even", None, False),
        ("moving_target", None, False),
        ("trailing_take_profit", Decimal(3), False),
        ("trailing", None, True),
    ]
