"""The one-time passwords of two-factor sign-in: TOTP codes (RFC 6238, pyotp) and recovery codes.

TOTP: 30-second steps, 6 digits, SHA-1 (what every authenticator app reads from an otpauth://
URI), accepted one step either side of the server's clock. The caller records the step a code
matched and refuses that step and earlier ones afterwards, so a code works once.

Recovery codes: 16 characters of Crockford's base32 (80 random bits), shown as four groups of
four. Stored as SHA-256 only: a slow password hash protects guessable secrets, and 2^80
candidates stay out of reach of any fast hash. Typing is forgiving: case, spaces and hyphens do
not matter, and the letters I, L and O read as 1, 1 and 0.
"""

import hashlib
import re
import secrets
from datetime import datetime
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    # pyotp and segno (~65 ms together) are imported where first used (a two-factor sign-in or
    # enrolment), not with the API's modules.
    import pyotp

TOTP_DIGITS = 6
TOTP_INTERVAL = 30
# Steps accepted either side of the current one: clocks drift, people type slowly.
TOTP_SKEW_STEPS = 1
RECOVERY_CODE_COUNT = 10
RECOVERY_CODE_LENGTH = 16
_CROCKFORD = "0123456789abcdefghjkmnpqrstvwxyz"
_TOTP_CODE = re.compile(rf"\d{{{TOTP_DIGITS}}}")
_RECOVERY_CODE = re.compile(rf"[{_CROCKFORD}]{{{RECOVERY_CODE_LENGTH}}}")
_READ_AS = str.maketrans({"i": "1", "l": "1", "o": "0", "-": None, " ": None})


def new_totp_secret() -> str:
    """160 random bits in base32, the size RFC 4226 recommends for HMAC-SHA-1."""
    import pyotp  # noqa: PLC0415 - deferred, see the TYPE_CHECKING import

    return pyotp.random_base32(32)


def _totp(secret: str) -> "pyotp.TOTP":
    import pyotp  # noqa: PLC0415 - deferred, see the TYPE_CHECKING import

    return pyotp.TOTP(secret, digits=TOTP_DIGITS, interval=TOTP_INTERVAL)


def provisioning_uri(secret: str, account: str, issuer: str) -> str:
    return _totp(secret).provisioning_uri(name=account, issuer_name=issuer)


def qr_code_data_uri(content: str) -> str:
    """An SVG image of a QR code of `content`, as a data: URI an <img> can show."""
    import segno  # noqa: PLC0415 - deferred, see the TYPE_CHECKING import

    return str(segno.make(content, error="m", micro=False).svg_data_uri(scale=4))


def totp_code_at(secret: str, moment: datetime, offset: int = 0) -> str:
    """The code of the step at `moment` (plus `offset` steps)."""
    return _totp(secret).at(moment, counter_offset=offset)


def matching_step(secret: str, code: str, moment: datetime) -> int | None:
    """The time step, within the skew window around `moment`, whose code is `code`; None if none
    is (each comparison takes constant time)."""
    from pyotp.exceptions import OTPVerificationError  # noqa: PLC0415 - deferred, as above

    try:
        return _totp(secret).verify_and_get_timecode(code, for_time=moment, valid_window=TOTP_SKEW_STEPS)
    except OTPVerificationError:
        return None


def normalize_passcode(passcode: str) -> str:
    return passcode.strip().lower().translate(_READ_AS)


def is_totp_code(normalized: str) -> bool:
    return _TOTP_CODE.fullmatch(normalized) is not None


def is_recovery_code(normalized: str) -> bool:
    return _RECOVERY_CODE.fullmatch(normalized) is not None


def new_recovery_codes() -> list[str]:
    """Codes as shown to the user: `abcd-efgh-jkmn-pqrs`."""
    codes = []
    for _ in range(RECOVERY_CODE_COUNT):
        raw = "".join(secrets.choice(_CROCKFORD) for _ in range(RECOVERY_CODE_LENGTH))
        codes.append("-".join(raw[i : i + 4] for i in range(0, RECOVERY_CODE_LENGTH, 4)))
    return codes


def recovery_code_digest(code: str) -> str:
    """The stored form of a code, from any way of typing it."""
    return hashlib.sha256(normalize_passcode(code).encode()).hexdigest()
