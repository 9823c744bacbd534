"""What the handlers and middlewares need from the settings, handed to them as Dispatcher data."""

import secrets
from dataclasses import dataclass, field
from decimal import Decimal


@dataclass(frozen=True, slots=True)
class BotConfig:
    allowed: frozenset[int] = frozenset()
    admins: frozenset[int] = frozenset()
    signal_amount: Decimal = Decimal(100)
    draft_ttl_seconds: int = 120
    throttle_per_second: float = 5.0
    throttle_burst: int = 10
    quote: str = "USDT"
    dashboard_url: str = "http://127.0.0.1:8000"
    login_link_ttl_seconds: int = 600
    webhooks_to_loopback: bool = False  # webhooks to this machine itself: local trials and tests only
    # Seals what a conversation holds between messages (handlers.accounts.Sealer): derived from SECRET_KEY by the
    # process; a random one where nothing outlives the process (tests, benchmarks).
    conversation_secret: str = field(default_factory=lambda: secrets.token_urlsafe(32), repr=False)

    def may_use(self, telegram_id: int) -> bool:
        """Open when neither an allow-list nor admins are set (the sandbox's default)."""
        if not self.allowed and not self.admins:
            return True
        return telegram_id in self.allowed or telegram_id in self.admins
