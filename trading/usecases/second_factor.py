"""A second factor for risky actions over the web (adding exchange keys, raising risk limits, turning on
automatic following, creating API tokens): TOTP codes from an authenticator app (pyotp), or one-time recovery
codes. Enrolled in two steps (a secret shown once, then its first code turns it on); turned off with a code.

A code is taken once: its time step is recorded by compare-and-set, so the same code (or an older one) replayed
is refused. Wrong codes are counted in the database, shared by every web worker; MAX_FAILURES in a row refuse
every code for LOCKOUT."""

import hmac
import secrets
from dataclasses import dataclass
from datetime import datetime

import pyotp

from trading.domain.errors import InvalidInput, SecondFactorLocked, SecondFactorRequired
from trading.domain.second_factor import LOCKOUT, MAX_FAILURES, RECOVERY_CODES, Enrolment, SecondFactor
from trading.ports import UnitOfWork
from trading.usecases.access import secret_hash
from trading.usecases.core import Core

ISSUER = "tsbot"
CODE_HEADER = "X-TOTP"  # where the web API takes a code
MISSING = f"This needs a code from your authenticator app (or a recovery code): send it in {CODE_HEADER}."
WRONG = "That code is wrong or was used already; wait for the next one and try again."
LOCKED = "Too many wrong codes: try again in a quarter of an hour."


@dataclass(frozen=True, slots=True)
class SecondFactorState:
    enabled: bool
    waiting: bool  # enrolled, its first code not yet given
    recovery_codes_left: int


async def second_factor_state(core: Core, user_id: int) -> SecondFactorState:
    async with core.uow(read_only=True) as uow:
        factor = await uow.second_factors.get(user_id)
        left = await uow.second_factors.recovery_codes_left(user_id)
    enabled = factor is not None and factor.enabled
    return SecondFactorState(enabled, factor is not None and not enabled, left if enabled else 0)


async def start_enrolment(core: Core, user_id: int, account_name: str) -> Enrolment:
    """A new secret, shown this once, waiting for its first code (any earlier one waiting is replaced)."""
    secret = pyotp.random_base32()
    async with core.uow() as uow:
        factor = await uow.second_factors.get(user_id)
        if factor is not None and factor.enabled:
            raise InvalidInput("Your second factor is on already; turn it off first to enrol again.")
        await uow.second_factors.start(user_id, secret, core.clock.now())
        await uow.commit()
    uri = pyotp.TOTP(secret).provisioning_uri(name=account_name, issuer_name=ISSUER)
    return Enrolment(secret, uri)


async def confirm_enrolment(core: Core, user_id: int, code: str) -> list[str]:
    """The waiting secret on once `code` is its current code; the recovery codes, shown this once."""
    now = core.clock.now()
    recovery = [_recovery_code() for _ in range(RECOVERY_CODES)]
    async with core.uow() as uow:
        factor = await uow.second_factors.get(user_id)
        if factor is None or factor.enabled:
            raise InvalidInput("There is no enrolment waiting for its first code: start one first.")
        _refuse_if_locked(factor, now)
        step = _step_of(factor.secret, _normalised(code), now)
        if step is not None and await uow.second_factors.enable(user_id, step, now):
            await uow.second_factors.set_recovery_codes(
                user_id, [_recovery_hash(user_id, c) for c in recovery]
            )
        else:
            await uow.second_factors.failed(user_id, MAX_FAILURES, now + LOCKOUT)
            recovery = []
        await uow.commit()
    if not recovery:
        raise SecondFactorRequired(WRONG)
    return [_shown(c) for c in recovery]


async def check_second_factor(core: Core, user_id: int, code: str | None) -> None:
    """Nothing for a user without a second factor on; else `code` must be a fresh TOTP code or an unused
    recovery code (taken by this call). Raises SecondFactorRequired or SecondFactorLocked."""
    now = core.clock.now()
    async with core.uow() as uow:
        factor = await uow.second_factors.get(user_id)
        if factor is None or not factor.enabled:
            return
        if not code or not code.strip():
            raise SecondFactorRequired(MISSING)
        _refuse_if_locked(factor, now)
        taken = await _take(uow, factor, _normalised(code), now)
        if taken:
            await uow.second_factors.succeeded(user_id)
        else:
            await uow.second_factors.failed(user_id, MAX_FAILURES, now + LOCKOUT)
        await uow.commit()
    if not taken:
        raise SecondFactorRequired(WRONG)


async def turn_off(core: Core, user_id: int, code: str | None) -> None:
    """The second factor off, given a code (an enrolment never confirmed goes without one)."""
    await check_second_factor(core, user_id, code)
    async with core.uow() as uow:
        await uow.second_factors.remove(user_id)
        await uow.commit()


async def _take(uow: UnitOfWork, factor: SecondFactor, code: str, now: datetime) -> bool:
    if code.isdigit():
        step = _step_of(factor.secret, code, now)
        return step is not None and await uow.second_factors.take_step(factor.user_id, step)
    return await uow.second_factors.use_recovery_code(
        factor.user_id, _recovery_hash(factor.user_id, code), now
    )


def _step_of(secret: str, code: str, now: datetime) -> int | None:
    """The time step whose code `code` is: the current one or either next to it (clocks drift)."""
    totp = pyotp.TOTP(secret)
    for offset in (0, -1, 1):
        if hmac.compare_digest(totp.at(now, counter_offset=offset), code):
            return totp.timecode(now) + offset
    return None


def _refuse_if_locked(factor: SecondFactor, now: datetime) -> None:
    if factor.locked(now):
        raise SecondFactorLocked(LOCKED)


def _normalised(code: str) -> str:
    return code.strip().lower().replace("-", "").replace(" ", "")


def _recovery_code() -> str:
    return secrets.token_hex(8)


def _shown(code: str) -> str:
    return "-".join(code[i : i + 4] for i in range(0, len(code), 4))


def _recovery_hash(user_id: int, code: str) -> str:
    return secret_hash(f"{user_id}:{code}")
