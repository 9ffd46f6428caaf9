"""How the auth services are built from a platform: the one wiring that routes (through
`provide` in app.auth.deps), tasks, listeners and the CLI all use::

    service = user_service(platform)
"""

from app.auth.config import AuthConfig
from app.auth.repositories.action_token import ActionTokenRepository
from app.auth.repositories.api_key import ApiKeyRepository
from app.auth.repositories.audit_entry import AuditEntryRepository
from app.auth.repositories.recovery_code import RecoveryCodeRepository
from app.auth.repositories.sign_in_session import SignInSessionRepository
from app.auth.repositories.user import UserRepository
from app.auth.repositories.user_totp import UserTotpRepository
from app.auth.services.access import AccessStore
from app.auth.services.api_keys import ApiKeyService
from app.auth.services.attempts import PasswordCheckLimit
from app.auth.services.audit import AuditTrail
from app.auth.services.credentials import Credentials
from app.auth.services.links import AccountLinks
from app.auth.services.recovery import RecoveryService
from app.auth.services.revocation import AccessRevocation
from app.auth.services.security import access_tokens_for, hasher_for, secret_box_for
from app.auth.services.sessions import SessionService
from app.auth.services.tokens import AccessTokens
from app.auth.services.two_factor import TwoFactorService
from app.auth.services.users import UserService
from app.core.platform import Platform


def access_tokens(platform: Platform) -> AccessTokens:
    return access_tokens_for(platform.settings(AuthConfig))


def access_store(platform: Platform) -> AccessStore:
    return AccessStore(platform.redis, platform.settings(AuthConfig))


def access_revocation(platform: Platform) -> AccessRevocation:
    return AccessRevocation(access_store(platform), platform.events, platform.after_commit)


def audit_trail(platform: Platform) -> AuditTrail:
    return AuditTrail(
        AuditEntryRepository(platform.session),
        add_despite_rollback=platform.unit_of_work.add_despite_rollback,
        request=platform.request,
    )


def account_links(platform: Platform) -> AccountLinks:
    return AccountLinks(
        ActionTokenRepository(platform.session),
        platform.mail,
        config=platform.settings(AuthConfig),
        links=platform.config.email_links,
        project_name=platform.config.PROJECT_NAME,
    )


def password_checks(platform: Platform) -> PasswordCheckLimit:
    per_minute = platform.settings(AuthConfig).PASSWORD_CHECKS_PER_MINUTE
    return PasswordCheckLimit(platform.redis, platform.config, per_minute)


def user_service(platform: Platform) -> UserService:
    config = platform.settings(AuthConfig)
    return UserService(
        users=UserRepository(platform.session),
        sessions=SignInSessionRepository(platform.session),
        action_tokens=ActionTokenRepository(platform.session),
        api_keys=ApiKeyRepository(platform.session),
        links=account_links(platform),
        revocation=access_revocation(platform),
        audit=audit_trail(platform),
        password_checks=password_checks(platform),
        hasher=hasher_for(config),
        events=platform.events,
        mail=platform.mail,
        config=config,
        project_name=platform.config.PROJECT_NAME,
    )


def two_factor_service(platform: Platform) -> TwoFactorService:
    config = platform.settings(AuthConfig)
    return TwoFactorService(
        users=UserRepository(platform.session),
        totps=UserTotpRepository(platform.session),
        recovery_codes=RecoveryCodeRepository(platform.session),
        box=secret_box_for(config),
        mail=platform.mail,
        audit=audit_trail(platform),
        sessions=SignInSessionRepository(platform.session),
        revocation=access_revocation(platform),
        project_name=platform.config.PROJECT_NAME,
    )


def session_service(platform: Platform) -> SessionService:
    return SessionService(
        users=UserRepository(platform.session),
        sessions=SignInSessionRepository(platform.session),
        revocation=access_revocation(platform),
        access=access_store(platform),
        audit=audit_trail(platform),
        hasher=hasher_for(platform.settings(AuthConfig)),
        tokens=access_tokens(platform),
        two_factor=two_factor_service(platform),
        password_checks=password_checks(platform),
        config=platform.settings(AuthConfig),
    )


def recovery_service(platform: Platform) -> RecoveryService:
    return RecoveryService(
        users=UserRepository(platform.session),
        sessions=SignInSessionRepository(platform.session),
        action_tokens=ActionTokenRepository(platform.session),
        links=account_links(platform),
        accounts=user_service(platform),
        revocation=access_revocation(platform),
        audit=audit_trail(platform),
        queue=platform.queue,
        mail=platform.mail,
        config=platform.settings(AuthConfig),
    )


def api_key_service(platform: Platform) -> ApiKeyService:
    return ApiKeyService(
        keys=ApiKeyRepository(platform.session),
        users=UserRepository(platform.session),
        events=platform.events,
        mail=platform.mail,
        audit=audit_trail(platform),
        config=platform.settings(AuthConfig),
        project_name=platform.config.PROJECT_NAME,
    )


def credentials(platform: Platform) -> Credentials:
    return Credentials(
        tokens=access_tokens(platform),
        session=platform.session,
        access=access_store(platform),
        api_keys=api_key_service(platform),
    )
