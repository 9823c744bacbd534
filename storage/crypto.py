"""Encryption with keys derived from SECRET_KEY (Fernet): exchange credentials at rest, and whatever else needs
a key of its own (`purpose`), so that one leaked key opens nothing else.

Several secrets may be given, newest first (SECRET_KEY, then OLD_SECRET_KEYS): the newest encrypts, every one
decrypts (MultiFernet), so that SECRET_KEY can be changed and what was stored under the old one re-encrypted
(`tsbot keys rotate`) while everything keeps working."""

import base64
import hashlib
from collections.abc import Sequence

from cryptography.fernet import Fernet, InvalidToken, MultiFernet


def _fernet(secret_key: str, purpose: str) -> Fernet:
    digest = hashlib.sha256((f"tsbot-{purpose}:" + secret_key).encode()).digest()
    return Fernet(base64.urlsafe_b64encode(digest))


class CredentialCipher:
    def __init__(self, secret_keys: str | Sequence[str], purpose: str = "credentials") -> None:
        keys = [secret_keys] if isinstance(secret_keys, str) else list(secret_keys)
        if not keys:
            raise ValueError("at least one secret key is needed")
        self._newest = _fernet(keys[0], purpose)
        self._fernet = MultiFernet([self._newest, *(_fernet(key, purpose) for key in keys[1:])])

    def encrypt(self, plain: str) -> str:
        return self._fernet.encrypt(plain.encode()).decode()

    def decrypt(self, token: str) -> str:
        try:
            return self._fernet.decrypt(token.encode()).decode()
        except InvalidToken:
            raise ValueError("stored credentials do not decrypt with SECRET_KEY or OLD_SECRET_KEYS") from None

    def is_current(self, token: str) -> bool:
        """Whether `token` is encrypted under the newest key already."""
        try:
            self._newest.decrypt(token.encode())
        except InvalidToken:
            return False
        return True

    def rotate(self, token: str) -> str:
        """`token` encrypted again under the newest key (any of the keys decrypts it)."""
        try:
            return self._fernet.rotate(token.encode()).decode()
        except InvalidToken:
            raise ValueError("stored credentials do not decrypt with SECRET_KEY or OLD_SECRET_KEYS") from None
