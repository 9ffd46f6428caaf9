"""An export is readable only while its requester may read the room: after they leave it, or
after it is deleted, its status and its file are gone for them."""

import httpx
import pytest
from sqlalchemy.ext.asyncio import AsyncSession

from tests.chat.exporting import EXPORTS, ROOMS, bulk_messages, make_room
from tests.users import Signed, SignIn


async def finished_export(client: httpx.AsyncClient, user: Signed, room_id: int) -> int:
    job = (await client.post(f"{ROOMS}/{room_id}/exports", headers=user.headers)).json()
    # The in-memory broker ran the task already.
    assert (await client.get(f"{EXPORTS}/{job['id']}/download", headers=user.headers)).status_code == 200
    return int(job["id"])


@pytest.mark.parametrize("revoked_by", ["leaving", "deletion"])
async def test_status_and_download_need_access_to_the_room(
    client: httpx.AsyncClient, sign_in: SignIn, db_session: AsyncSession, revoked_by: str
) -> None:
    owner, member = await sign_in(), await sign_in()
    room_id = await make_room(client, owner)
    await bulk_messages(db_session, room_id, owner.user.id, 5)
    assert (await client.post(f"{ROOMS}/{room_id}/join", headers=member.headers)).status_code == 204
    job_id = await finished_export(client, member, room_id)

    if revoked_by == "leaving":
        assert (await client.post(f"{ROOMS}/{room_id}/leave", headers=member.headers)).status_code == 204
    else:
        assert (await client.delete(f"{ROOMS}/{room_id}", headers=owner.headers)).status_code == 204

    for url in (f"{EXPORTS}/{job_id}", f"{EXPORTS}/{job_id}/download"):
        response = await client.get(url, headers=member.headers)
        assert response.status_code in (403, 404), (url, response.status_code)
        assert response.headers["content-type"] == "application/problem+json"
