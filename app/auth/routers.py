"""The module's top-level router: every route group of API version 1."""

from fastapi import APIRouter

from app.auth.routes.v1 import admin, audit, auth, keys, pages, profile, users

router = APIRouter()
for group in (auth, users, profile, keys, admin, audit, pages):
    router.include_router(group.router)
