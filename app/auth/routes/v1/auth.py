"""Registration, login, tokens, password recovery and email verification."""

from typing import Annotated

from fastapi import APIRouter, Depends, Header
from fastapi.security import OAuth2PasswordRequestForm

from app.auth.deps import AccountUser, RecoveryServiceDep, SessionServiceDep, UserServiceDep
from app.auth.routes.v1.limits import by_login_account, credential_limits, second_factor_limits
from app.auth.schemas.auth import (
    Accepted,
    RefreshRequest,
    ResendVerificationRequest,
    ResetPasswordRequest,
    RestorePasswordRequest,
    TokenResponse,
    VerifyEmailRequest,
)
from app.auth.schemas.two_factor import (
    AccessTokenResponse,
    LoginResult,
    SecondFactorChallenge,
    SecondFactorRequest,
    StepUpRequest,
)
from app.auth.schemas.user import UserCreate, UserDetail
from app.core.api import error_responses

router = APIRouter(prefix="/auth", tags=["auth"])
RESTORE_ACCEPTED = "If an active account uses this address, a reset link is on its way."
RESEND_ACCEPTED = "If an unverified account uses this address, a new link is on its way."


@router.post(
    "/register",
    summary="Create an account",
    status_code=201,
    response_model=UserDetail,
    dependencies=credential_limits("register"),
    responses=error_responses(403, 409, 422, 429, 503),
)
async def register(body: UserCreate, users: UserServiceDep) -> UserDetail:
    """Open while AUTH_REGISTRATION_ALLOWED (the default in development). A verification email
    is sent."""
    return UserDetail.model_validate(await users.register(body), from_attributes=True)


@router.post(
    "/login",
    summary="Sign in with a username or email and a password",
    response_model=LoginResult,
    dependencies=credential_limits("login", account=by_login_account),
    responses=error_responses(401, 422, 429, 503),
)
async def login(
    form: Annotated[OAuth2PasswordRequestForm, Depends()],
    sessions: SessionServiceDep,
    user_agent: Annotated[str | None, Header()] = None,
) -> TokenResponse | SecondFactorChallenge:
    """OAuth2 password flow (form fields `username` and `password`), so the docs' Authorize
    button works. One of two answers (200 either way):

    - `TokenResponse` (`access_token`, `refresh_token`, ...): signed in; a new session (one per
      device).
    - `SecondFactorChallenge` (`second_factor_token`, `expires_in`, `methods`): the account has
      two-factor authentication on. No session yet: post the token with a code from the
      authenticator app (or a recovery code) to `POST /auth/login/second-factor` before it
      expires."""
    return await sessions.login(form.username, form.password, user_agent)


@router.post(
    "/login/second-factor",
    summary="Finish signing in with a code from the authenticator app or a recovery code",
    response_model=TokenResponse,
    dependencies=second_factor_limits(),
    responses=error_responses(401, 422, 429, 503),
)
async def login_second_factor(
    body: SecondFactorRequest,
    sessions: SessionServiceDep,
    user_agent: Annotated[str | None, Header()] = None,
) -> TokenResponse:
    """The second step of `POST /auth/login` for an account with two-factor authentication:
    the `second_factor_token` it returned and a `passcode`, the current 6-digit code of the
    authenticator app (each code works once) or one of the recovery codes (each works once; the
    owner is emailed). Answers like a one-step login. 401 `invalid_passcode` for a wrong or
    spent code, `invalid_token` for an expired token; at most
    AUTH_SECOND_FACTOR_ATTEMPTS_PER_ACCOUNT attempts per account in 5 minutes (429)."""
    return await sessions.complete_login(
        body.second_factor_token.get_secret_value(), body.passcode.get_secret_value(), user_agent
    )


@router.post(
    "/step-up",
    summary="Confirm my password again, for actions that need a recent sign-in",
    response_model=AccessTokenResponse,
    responses=error_responses(401, 403, 422, 429, 503),
)
async def step_up(body: StepUpRequest, user: AccountUser, sessions: SessionServiceDep) -> AccessTokenResponse:
    """RFC 9470 step-up: actions such as changing the password or turning two-factor off answer
    401 `insufficient_user_authentication` when the session last authenticated more than
    AUTH_STEP_UP_MAX_AGE seconds ago. Send the password (and a `passcode` when two-factor is on)
    here, then retry with the new access token. Same session: the refresh token stays, and its
    later access tokens carry the new authentication time. Counted with the other checks of the
    password (AUTH_PASSWORD_CHECKS_PER_MINUTE per user, 429)."""
    passcode = body.passcode.get_secret_value() if body.passcode is not None else None
    return await sessions.step_up(user, body.password.get_secret_value(), passcode)


@router.post(
    "/refresh-token",
    summary="Exchange a refresh token for new tokens",
    response_model=TokenResponse,
    responses=error_responses(401, 422, 503),
)
async def refresh_token(body: RefreshRequest, sessions: SessionServiceDep) -> TokenResponse:
    """Every refresh rotates the refresh token. Presenting a rotated one again ends the session."""
    return await sessions.refresh(body.refresh_token.get_secret_value())


@router.post(
    "/logout",
    summary="Sign out of this session",
    status_code=204,
    responses=error_responses(401, 403, 422, 503),
)
async def logout(body: RefreshRequest, user: AccountUser, sessions: SessionServiceDep) -> None:
    """The session's access token stops working at its next request, on every server."""
    await sessions.logout(body.refresh_token.get_secret_value(), user)


@router.post(
    "/logout-all", summary="Sign out everywhere", status_code=204, responses=error_responses(401, 403, 503)
)
async def logout_all(user: AccountUser, sessions: SessionServiceDep) -> None:
    """Ends every session and invalidates every access token of the account. 503 (nothing
    changed) when the revocation cannot be confirmed to every server."""
    await sessions.logout_all(user)


@router.post(
    "/restore-password",
    summary="Ask for a password reset link",
    status_code=202,
    response_model=Accepted,
    dependencies=credential_limits("restore"),
    responses=error_responses(422, 429, 503),
)
async def restore_password(body: RestorePasswordRequest, recovery: RecoveryServiceDep) -> Accepted:
    """Always 202 with the same body, whether or not the address is known."""
    await recovery.restore_password(body.email)
    return Accepted(detail=RESTORE_ACCEPTED)


@router.post(
    "/reset-password",
    summary="Set a new password with a reset link's token",
    status_code=204,
    responses=error_responses(401, 422, 503),
)
async def reset_password(body: ResetPasswordRequest, recovery: RecoveryServiceDep) -> None:
    """The token works once; every session of the account ends."""
    await recovery.reset_password(body.token.get_secret_value(), body.new_password.get_secret_value())


@router.post(
    "/verify-email",
    summary="Confirm an email address with a verification link's token",
    response_model=UserDetail,
    responses=error_responses(401, 422),
)
async def verify_email(body: VerifyEmailRequest, recovery: RecoveryServiceDep) -> UserDetail:
    user = await recovery.verify_email(body.token.get_secret_value())
    return UserDetail.model_validate(user, from_attributes=True)


@router.post(
    "/verify-email/resend",
    summary="Ask for a new verification link",
    status_code=202,
    response_model=Accepted,
    dependencies=credential_limits("resend"),
    responses=error_responses(422, 429, 503),
)
async def resend_verification(body: ResendVerificationRequest, recovery: RecoveryServiceDep) -> Accepted:
    """Always 202 with the same body."""
    await recovery.resend_verification(body.email)
    return Accepted(detail=RESEND_ACCEPTED)
