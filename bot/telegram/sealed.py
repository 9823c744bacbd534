"""Secrets a conversation holds between two messages (an API key, then its secret), sealed with Fernet.

The conversation's state lives in the FSM storage, which is Redis when REDIS_URL is set: the key must not sit
there in the clear while the user types the secret. The sealing key is derived from SECRET_KEY, so every worker
and a restarted bot can still open what another sealed.
"""

import base64
import hashlib

from cryptography.fernet import Fernet, InvalidToken


class Sealer:
    def __init__(self, secret: str) -> None:
        digest = hashlib.sha256(("tsbot-conversation:" + secret).encode()).digest()
        self._fernet = Fernet(base64.urlsafe_b64encode(digest))

    def seal(self, plain: str) -> str:
        return self._fernet.encrypt(plain.encode()).decode()

    def open(self, sealed: str) -> str | None:
        """None when it was sealed with another key (SECRET_KEY changed mid-conversation) or tampered with."""
        try:
            return self._fernet.decrypt(sealed.encode()).decode()
        except InvalidToken:
            return None
