"""CSV formula injection: a cell a spreadsheet would evaluate is exported as text, in the streamed
download and in the file a worker builds alike."""

import httpx
from sqlalchemy.ext.asyncio import AsyncSession

from tests.chat.exporting import ROOMS, csv_rows, make_room, messages_with_bodies
from tests.users import SignIn

FORMULAS = [
    "=1+2",
    '=HYPERLINK("https://evil.example","click")',
    "+41 cmd",
    "-2+3+cmd|' /C calc'!A0",
    "@SUM(A1:A9)",
    "\t=1+2",
    "\r=1+2",
]
HARMLESS = ["plain text", "a = b", "100%", "'quoted already"]


async def test_formula_cells_are_exported_as_text_by_both_paths(
    client: httpx.AsyncClient, sign_in: SignIn, db_session: AsyncSession
) -> None:
    owner = await sign_in()
    room_id = await make_room(client, owner)
    await messages_with_bodies(db_session, room_id, owner.user.id, FORMULAS + HARMLESS)
    expected = [f"'{body}" for body in FORMULAS] + HARMLESS

    streamed = await client.get(f"{ROOMS}/{room_id}/export.csv", headers=owner.headers)
    assert streamed.status_code == 200
    job = (await client.post(f"{ROOMS}/{room_id}/exports", headers=owner.headers)).json()
    status = (await client.get(f"/api/v1/chat/exports/{job['id']}", headers=owner.headers)).json()
    built = await client.get(status["download_url"], headers=owner.headers)
    assert built.status_code == 200

    for content in (streamed.text, built.text):
        # Still CSV: quotes doubled and cells with commas or line breaks quoted, so each body
        # reads back whole, one record per message.
        rows = csv_rows(content)
        assert [row[4] for row in rows[1:]] == expected
    assert streamed.text == built.text
