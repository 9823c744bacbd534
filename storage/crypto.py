"""Encryption with a key derived from SECRET_KEY (Fernet): exchange credentials at rest, and whatever else needs
a key of its own (`purpose`), so that one leaked key opens nothing else."""

import base64
import hashlib

from cryptography.fernet import Fernet, InvalidToken


class CredentialCipher:
    def __init__(self, secret_key: str, purpose: str = "credentials") -> None:
        digest = hashlib.sha256((f"tsbot-{purpose}:" + secret_key).encode()).digest()
        self._fernet = Fernet(base64.urlsafe_b64encode(digest))

    def encrypt(self, plain: str) -> str:
        return self._fernet.encrypt(plain.encode()).decode()

    def decrypt(self, token: str) -> str:
        try:
            return self._fernet.decrypt(token.encode()).decode()
        except InvalidToken:
            raise ValueError("stored credentials do not decrypt with this SECRET_KEY") from None
