"""The module's top-level router: every route group of API version 1."""

from fastapi import APIRouter

from app.auth.routes.v1 import admin, audit, auth, keys, pages, profile, two_factor, users

router = APIRouter()
for group in (auth, users, profile, two_factor, keys, admin, audit, pages):
    router.include_router(group.router)
