"""Access tokens already verified, kept with what they carry until they expire.

A session's requests all carry the same token; its signature and claims are checked on the first and the
answer reused until the token's own expiry (which is checked on every use). Nothing can revoke an access token
early in any case: that is what its short life is for.
"""

from litestar.middleware import AuthenticationResult


class VerifiedTokens:
    def __init__(self, max_entries: int = 10_000) -> None:
        self._max_entries = max_entries
        self._verified: dict[str, tuple[AuthenticationResult, float]] = {}

    def get(self, token: str, now: float) -> AuthenticationResult | None:
        found = self._verified.get(token)
        if found is None:
            return None
        result, expires_at = found
        if now >= expires_at:
            del self._verified[token]
            return None
        return result

    def put(self, token: str, result: AuthenticationResult, expires_at: float) -> None:
        if len(self._verified) >= self._max_entries:
            self._verified.clear()  # rare; cheaper than keeping an order of use on every request
        self._verified[token] = (result, expires_at)
