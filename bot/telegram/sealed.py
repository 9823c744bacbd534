"""Secrets a conversation holds between two messages (an API key, then its secret), sealed.

The conversation's state lives in the FSM storage, which is Redis when REDIS_URL is set: the key must not sit
there in the clear while the user types the secret. The sealing key is derived from SECRET_KEY (for this purpose
alone), so every worker and a restarted bot can still open what another sealed.
"""

from storage.crypto import CredentialCipher


class ConversationSealer:
    """What handlers.accounts.Sealer asks for, on the project's credential cipher."""

    def __init__(self, secret: str) -> None:
        self._cipher = CredentialCipher(secret, purpose="conversation")

    def seal(self, plain: str) -> str:
        return self._cipher.encrypt(plain)

    def open(self, sealed: str) -> str | None:
        """None when it was sealed with another key (SECRET_KEY changed mid-conversation) or tampered with."""
        try:
            return self._cipher.decrypt(sealed)
        except ValueError:
            return None
