"""Rotating SECRET_KEY: with the old key among OLD_SECRET_KEYS, what was stored under it still decrypts; `tsbot keys
rotate` re-encrypts every stored secret (exchange credentials, webhook secrets) under the new key, can be run
again (after a stop, or after a process still on the old key wrote a row) to finish, and leaves a row no key
decrypts as it was."""

from pathlib import Path

import pytest
from sqlalchemy import select, update

from storage.automation_models import NotifyChannelRow
from storage.crypto import CredentialCipher
from storage.key_rotation import Rotation, rotate_secrets
from storage.models import ExchangeAccountRow
from storage.second_factor_models import SecondFactorRow
from tests.cli import cli_env, run_tsbot
from tests.harness import Harness
from trading.domain.accounts import Credentials
from trading.domain.channels import ChannelKind, EventKind, NotifyChannel

OLD = "test-secret"  # the harness's SECRET_KEY
NEW = "the-new-secret-key"
CREDENTIALS = Credentials("key-123", "secret-456", "pass-789")


async def _store_secrets(harness: Harness, cipher_key: str = OLD) -> None:
    """A user with an exchange account's credentials and a webhook's secret, stored as a process whose
    SECRET_KEY is `cipher_key` would (its API key, where that is not the harness's)."""
    user_id, _ = await harness.user()
    async with harness.core.uow() as uow:
        account = await uow.accounts.add(user_id, "binance", "main", False, CREDENTIALS, harness.clock.now())
        webhook = NotifyChannel(
            0,
            user_id,
            ChannelKind.WEBHOOK,
            "https://example.com/hook",
            frozenset(EventKind),
            None,
            harness.clock.now(),
        )
        await uow.channels.add(webhook, "whsec-abc", None, None)
        await uow.commit()
    if cipher_key != OLD:  # as if written by a process on another key: encrypt the stored values again
        await _reencrypt(harness, account.id, CredentialCipher(OLD), CredentialCipher(cipher_key))


async def _reencrypt(
    harness: Harness, account_id: int, old: CredentialCipher, other: CredentialCipher
) -> None:
    async with harness.engine.begin() as connection:
        row = (
            await connection.execute(
                select(ExchangeAccountRow.api_key_enc).where(ExchangeAccountRow.id == account_id)
            )
        ).one()
        again = other.encrypt(old.decrypt(row.api_key_enc))
        await connection.execute(
            update(ExchangeAccountRow).where(ExchangeAccountRow.id == account_id).values(api_key_enc=again)
        )


async def _stored(harness: Harness) -> list[str]:
    async with harness.engine.connect() as connection:
        accounts = (
            await connection.execute(
                select(
                    ExchangeAccountRow.api_key_enc,
                    ExchangeAccountRow.secret_enc,
                    ExchangeAccountRow.password_enc,
                )
                .where(ExchangeAccountRow.api_key_enc.is_not(None))
                .order_by(ExchangeAccountRow.id)
            )
        ).all()
        hooks = (
            await connection.execute(
                select(NotifyChannelRow.secret)
                .where(NotifyChannelRow.secret.is_not(None))
                .order_by(NotifyChannelRow.id)
            )
        ).all()
    return [value for row in [*accounts, *hooks] for value in row if value is not None]


async def test_old_secrets_decrypt_then_rotate_under_the_new_key_and_a_rerun_finishes(
    harness: Harness,
) -> None:
    await _store_secrets(harness)
    both = CredentialCipher([NEW, OLD])
    assert [both.decrypt(v) for v in await _stored(harness)] == [
        "key-123",
        "secret-456",
        "pass-789",
        "whsec-abc",
    ]

    assert await rotate_secrets(harness.engine, both) == Rotation(
        rotated=2
    )  # the account's row, the webhook's
    new_only = CredentialCipher(NEW)
    assert [new_only.decrypt(v) for v in await _stored(harness)] == [
        "key-123",
        "secret-456",
        "pass-789",
        "whsec-abc",
    ]
    with pytest.raises(ValueError, match="do not decrypt"):
        CredentialCipher(OLD).decrypt((await _stored(harness))[0])

    await _store_secrets(harness)  # a process still on the old key wrote meanwhile
    assert await rotate_secrets(harness.engine, both) == Rotation(rotated=2, current=2)
    assert await rotate_secrets(harness.engine, both) == Rotation(current=4)  # nothing left to do
    assert all(new_only.decrypt(v) for v in await _stored(harness))


async def test_a_row_no_key_decrypts_is_left_as_it_was_and_reported(harness: Harness) -> None:
    await _store_secrets(harness)
    await _store_secrets(harness, cipher_key="a-key-nobody-has")
    before = await _stored(harness)
    rotation = await rotate_secrets(harness.engine, CredentialCipher([NEW, OLD]))
    assert rotation == Rotation(rotated=3, unreadable=1)
    after = await _stored(harness)
    assert after[3:6] == before[3:6]  # the second account's row: untouched
    assert after[:3] != before[:3] and after[6:] != before[6:]


async def test_tsbot_keys_rotate_reports_what_it_did(
    harness: Harness, database_url: str, tmp_path: Path
) -> None:
    await _store_secrets(harness)
    env = cli_env(
        ("DATABASE_", "REDIS_", "SECRET_"),
        DATABASE_URL=database_url,
        SECRET_KEY=NEW,
        OLD_SECRET_KEYS=f"other, {OLD}",
    )

    def rotate() -> str:
        done = run_tsbot(env, tmp_path, "keys", "rotate", timeout=120)
        assert done.returncode == 0, done.stderr
        return done.stdout

    said = rotate()
    assert "Re-encrypted the secrets of 2 row(s) under SECRET_KEY; 0 were under it already." in said
    assert "OLD_SECRET_KEYS can be removed" in said
    assert "of 0 row(s) under SECRET_KEY; 2 were under it already." in rotate()


async def test_a_second_factors_secret_is_rotated_too(harness: Harness) -> None:
    user_id, _ = await harness.user()
    async with harness.core.uow() as uow:
        await uow.second_factors.start(user_id, "JBSWY3DPEHPK3PXP", harness.clock.now())
        await uow.commit()
    both = CredentialCipher([NEW, OLD])
    assert await rotate_secrets(harness.engine, both) == Rotation(rotated=1)
    async with harness.engine.connect() as connection:
        stored = (await connection.execute(select(SecondFactorRow.secret_enc))).scalar_one()
    assert CredentialCipher(NEW).decrypt(stored) == "JBSWY3DPEHPK3PXP"
    assert await rotate_secrets(harness.engine, both) == Rotation(current=1)
