"""The caller's two-factor authentication: TOTP enrolment, recovery codes, turning it off.

Everything that changes it needs a recent authentication (RFC 9470 step-up), so a session left
open, or an access token that leaked, cannot take over the second factor.
"""

from fastapi import APIRouter

from app.auth.deps import AccountUser, RecentlyAuthenticatedUser, TwoFactorServiceDep
from app.auth.routes.v1.responses import step_up_responses
from app.auth.schemas.two_factor import (
    PasscodeConfirmation,
    RecoveryCodes,
    TwoFactorEnrolment,
    TwoFactorStatus,
)
from app.core.api import error_responses

router = APIRouter(prefix="/profile/two-factor", tags=["profile"])


@router.get(
    "",
    summary="Is two-factor authentication on for me",
    response_model=TwoFactorStatus,
    responses=error_responses(401, 403),
)
async def status(user: AccountUser, two_factor: TwoFactorServiceDep) -> TwoFactorStatus:
    current = await two_factor.status(user)
    return TwoFactorStatus(
        enabled=current.enabled_at is not None,
        enabled_at=current.enabled_at,
        recovery_codes_left=current.recovery_codes_left,
    )


@router.post(
    "/enrolment",
    summary="Start turning two-factor authentication on",
    status_code=201,
    response_model=TwoFactorEnrolment,
    responses=step_up_responses(401, 403, 409),
)
async def start_enrolment(
    user: RecentlyAuthenticatedUser, two_factor: TwoFactorServiceDep
) -> TwoFactorEnrolment:
    """A new TOTP secret, shown this once: scan the QR code (or type the secret) into an
    authenticator app, then confirm a code at `POST /profile/two-factor/enrolment/confirm`.
    Nothing changes at sign-in until then; starting again replaces the unconfirmed secret.
    409 while two-factor is already on."""
    enrolment = await two_factor.start_enrolment(user)
    return TwoFactorEnrolment(
        secret=enrolment.secret, otpauth_uri=enrolment.otpauth_uri, qr_code=enrolment.qr_code
    )


@router.post(
    "/enrolment/confirm",
    summary="Turn two-factor authentication on with a code from the app",
    response_model=RecoveryCodes,
    responses=step_up_responses(401, 403, 409, 422, 503),
)
async def confirm_enrolment(
    body: PasscodeConfirmation, user: RecentlyAuthenticatedUser, two_factor: TwoFactorServiceDep
) -> RecoveryCodes:
    """With the current 6-digit code of the new secret, two-factor is on: signing in needs a
    code after the password from now on. Returns 10 recovery codes, shown this once (each
    works once in place of a code). An email confirms the change. 401 `invalid_passcode` for a
    wrong code, 409 with no enrolment started."""
    codes = await two_factor.confirm_enrolment(user, body.passcode.get_secret_value())
    return RecoveryCodes(recovery_codes=codes)


@router.delete(
    "",
    summary="Turn two-factor authentication off",
    status_code=204,
    responses=step_up_responses(401, 403, 409),
)
async def disable(user: RecentlyAuthenticatedUser, two_factor: TwoFactorServiceDep) -> None:
    """The secret and the recovery codes are deleted; an email tells the owner. 409 when it is
    off already."""
    await two_factor.disable(user)


@router.post(
    "/recovery-codes",
    summary="Replace my recovery codes",
    response_model=RecoveryCodes,
    responses=step_up_responses(401, 403, 409),
)
async def regenerate_recovery_codes(
    user: RecentlyAuthenticatedUser, two_factor: TwoFactorServiceDep
) -> RecoveryCodes:
    """10 new codes, shown this once; every earlier code, used or not, stops working. 409 while
    two-factor is off."""
    return RecoveryCodes(recovery_codes=await two_factor.regenerate_recovery_codes(user))
