"""Encryption of secrets the server must read back (TOTP secrets), with key rotation.

Each configured key (AUTH_TOTP_ENCRYPTION_KEY, else SECRET_KEY, then AUTH_TOTP_ENCRYPTION_OLD_KEYS)
is stretched with HKDF-SHA256 into a Fernet key (AES-128-CBC with HMAC-SHA256: tampering is
detected, not decrypted into garbage). The first key encrypts; every key decrypts, so a key can
be replaced without locking anyone out: values still under an old key are re-encrypted when
they are next used, or all at once by `python -m app.cli reencrypt-totp-secrets`.
"""

import base64
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cached_property
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    # Imported when a box first encrypts or decrypts, not with the API's modules:
    # cryptography is ~30 ms and several MB a process without two-factor users never needs.
    from cryptography.fernet import Fernet, MultiFernet

# Binds the derived keys to this one use: the same setting may key other things.
_PURPOSE = b"app.auth totp-secret encryption v1"


class UndecryptableSecret(Exception):
    """No configured key decrypts the value (a key was dropped before every value moved on)."""


@dataclass(frozen=True, slots=True)
class Opened:
    plaintext: str
    # Encrypted with an older key: store `SecretBox.encrypt(plaintext)` instead.
    stale: bool


def _fernet(key: str) -> "Fernet":
    from cryptography.fernet import Fernet  # noqa: PLC0415 - deferred, see the TYPE_CHECKING import
    from cryptography.hazmat.primitives import hashes  # noqa: PLC0415
    from cryptography.hazmat.primitives.kdf.hkdf import HKDF  # noqa: PLC0415

    derived = HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=_PURPOSE).derive(key.encode())
    return Fernet(base64.urlsafe_b64encode(derived))


class SecretBox:
    def __init__(self, keys: Sequence[str]) -> None:
        if not keys:
            raise ValueError("at least one key is needed")
        self._keys = tuple(keys)

    @cached_property
    def _current(self) -> "Fernet":
        # Derived on first use, not when the box is built: every sign-in builds the two-factor
        # service, and most sign-ins never open a secret (cryptography stays unloaded).
        return _fernet(self._keys[0])

    @cached_property
    def _older(self) -> "MultiFernet | None":
        from cryptography.fernet import MultiFernet  # noqa: PLC0415 - deferred, as in _fernet

        return MultiFernet([_fernet(key) for key in self._keys[1:]]) if len(self._keys) > 1 else None

    def encrypt(self, plaintext: str) -> str:
        return self._current.encrypt(plaintext.encode()).decode()

    def decrypt(self, token: str) -> Opened:
        from cryptography.fernet import InvalidToken  # noqa: PLC0415 - deferred, as in _fernet

        try:
            return Opened(self._current.decrypt(token.encode()).decode(), stale=False)
        except InvalidToken:
            pass
        if self._older is not None:
            try:
                return Opened(self._older.decrypt(token.encode()).decode(), stale=True)
            except InvalidToken:
                pass
        raise UndecryptableSecret()
