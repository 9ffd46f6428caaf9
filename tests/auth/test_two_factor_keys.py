"""TOTP secrets at rest: encrypted with a key from the settings, and that key can be rotated."""

import asyncio

import pytest
from sqlalchemy import delete, insert, select
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession
from typer.testing import CliRunner

from app.auth.config import AuthConfig
from app.auth.exceptions import TwoFactorUnavailable
from app.auth.models import RecoveryCode, User, UserTotp
from app.auth.repositories.recovery_code import RecoveryCodeRepository
from app.auth.repositories.sign_in_session import SignInSessionRepository
from app.auth.repositories.user import UserRepository
from app.auth.repositories.user_totp import UserTotpRepository
from app.auth.services.factory import access_revocation, audit_trail
from app.auth.services.one_time_codes import new_totp_secret, recovery_code_digest
from app.auth.services.secret_box import SecretBox, UndecryptableSecret
from app.auth.services.two_factor import TwoFactorService
from app.cli import cli
from app.core.clock import utcnow
from app.core.platform import Platform
from tests.auth.two_factor import totp_code
from tests.conftest import app_settings
from tests.factories import UserFactory
from tests.users import CreateUser

OLD, NEW = "o" * 48, "n" * 48


def test_a_rotated_key_still_decrypts_and_says_the_value_is_stale() -> None:
    token = SecretBox([OLD]).encrypt("JBSWY3DPEHPK3PXP")
    rotated = SecretBox([NEW, OLD])
    opened = rotated.decrypt(token)
    assert (opened.plaintext, opened.stale) == ("JBSWY3DPEHPK3PXP", True)
    fresh = rotated.decrypt(rotated.encrypt("JBSWY3DPEHPK3PXP"))
    assert fresh.stale is False
    with pytest.raises(UndecryptableSecret):
        SecretBox([NEW]).decrypt(token)
    tampered = token[:-6] + ("A" if token[-6] != "A" else "B") + token[-5:]
    with pytest.raises(UndecryptableSecret):
        SecretBox([OLD]).decrypt(tampered)


def service(platform: Platform, box: SecretBox) -> TwoFactorService:
    return TwoFactorService(
        users=UserRepository(platform.session),
        totps=UserTotpRepository(platform.session),
        recovery_codes=RecoveryCodeRepository(platform.session),
        box=box,
        mail=platform.mail,
        audit=audit_trail(platform),
        sessions=SignInSessionRepository(platform.session),
        revocation=access_revocation(platform),
        project_name="Test",
    )


async def enrolled_user(session: AsyncSession, box: SecretBox, secret: str) -> User:
    user: User = await UserFactory.create_async()
    session.add(UserTotp(user_id=user.id, encrypted_secret=box.encrypt(secret), confirmed_at=utcnow()))
    session.add(RecoveryCode(user_id=user.id, code_hash=recovery_code_digest("0000-1111-2222-3333")))
    await session.flush()
    return user


async def test_a_secret_under_an_old_key_moves_to_the_new_one_when_used(
    db_session: AsyncSession, platform: Platform
) -> None:
    secret = new_totp_secret()
    user = await enrolled_user(db_session, SecretBox([OLD]), secret)
    await service(platform, SecretBox([NEW, OLD])).verify(user, totp_code(secret))
    row = await UserTotpRepository(platform.session).confirmed_for_user(user.id)
    assert row is not None
    assert SecretBox([NEW]).decrypt(row.encrypted_secret).plaintext == secret


async def test_without_its_key_codes_are_unavailable_but_recovery_codes_work(
    db_session: AsyncSession, platform: Platform
) -> None:
    user = await enrolled_user(db_session, SecretBox([OLD]), new_totp_secret())
    keyless = service(platform, SecretBox([NEW]))
    with pytest.raises(TwoFactorUnavailable):
        await keyless.verify(user, "123456")
    assert await keyless.verify(user, "0000-1111-2222-3333") == "recovery_code"


async def test_the_cli_moves_every_secret_to_the_current_key(
    engine: AsyncEngine, committed_users: CreateUser
) -> None:
    user = await committed_users()
    secret = new_totp_secret()
    current = app_settings(AuthConfig).totp_encryption_keys[0]
    async with engine.begin() as connection:
        await connection.execute(
            insert(UserTotp).values(
                user_id=user.id, encrypted_secret=SecretBox([current]).encrypt(secret), confirmed_at=utcnow()
            )
        )
    env = {"AUTH_TOTP_ENCRYPTION_KEY": NEW, "AUTH_TOTP_ENCRYPTION_OLD_KEYS": f"{OLD},{current}"}
    try:
        result = await asyncio.to_thread(CliRunner().invoke, cli, ["reencrypt-totp-secrets"], env=env)
        assert result.exit_code == 0, result.output
        assert "re-encrypted 1 two-factor secret(s)" in result.output
        async with engine.connect() as connection:
            stored = await connection.scalar(
                select(UserTotp.encrypted_secret).where(UserTotp.user_id == user.id)
            )
        assert stored is not None
        assert SecretBox([NEW]).decrypt(stored).plaintext == secret
    finally:
        async with engine.begin() as connection:
            await connection.execute(delete(UserTotp).where(UserTotp.user_id == user.id))
