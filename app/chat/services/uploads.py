"""Receiving one file from a multipart body as it streams in.

The size limit is enforced chunk by chunk (an oversized upload is refused when it crosses the
limit, not after it was read), and the type is decided from the file's first bytes, never from
what the client claims. A body that does not parse, or ends before its closing boundary, is
refused: a truncated upload is never stored as if it were complete. Nothing of a refused upload
is kept.
"""

import codecs
import re
from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass, field

from python_multipart.exceptions import FormParserError
from python_multipart.multipart import MultipartParser, parse_options_header

from app.chat.services.storage import FileStorage
from app.core.errors import BadRequest, InvalidInput, PayloadTooLarge, UnsupportedMediaType

FILE_FIELD = "file"
_SNIFF_BYTES = 16
_SIGNATURES = (
    (b"\x89PNG\r\n\x1a\n", "image/png"),
    (b"\xff\xd8\xff", "image/jpeg"),
    (b"GIF87a", "image/gif"),
    (b"GIF89a", "image/gif"),
    (b"%PDF-", "application/pdf"),
)
_SAFE_NAME = re.compile(r"[^A-Za-z0-9._ -]+")


def sniff(head: bytes, *, whole_file: bool) -> str | None:
    """The type of a file from its first bytes. `whole_file` says whether `head` is all of it: a
    prefix cut from a longer file may end inside a multi-byte character, which is no reason to call
    the text invalid (Japanese text, three bytes a character, usually does)."""
    for signature, content_type in _SIGNATURES:
        if head.startswith(signature):
            return content_type
    try:
        # Incremental: an incomplete sequence at the very end is kept for later (accepted) unless
        # this is the whole file; invalid bytes anywhere before it still fail.
        codecs.getincrementaldecoder("utf-8")().decode(head, final=whole_file)
    except UnicodeDecodeError:
        return None
    return "text/plain" if b"\x00" not in head else None


def safe_filename(raw: str) -> str:
    name = _SAFE_NAME.sub("_", raw.replace("\\", "/").rsplit("/", 1)[-1]).strip(" .")
    return name[:200] or "file"


@dataclass
class _Part:
    headers: dict[str, str] = field(default_factory=dict)
    header_field: bytes = b""
    header_value: bytes = b""


@dataclass
class ReceivedFile:
    filename: str
    content_type: str
    size: int
    storage_key: str


class _Collector:
    """Callbacks of the (synchronous) multipart parser: collect the file part's bytes."""

    def __init__(self) -> None:
        self.part = _Part()
        self.filename: str | None = None
        self.pending: list[bytes] = []
        self.in_file = False
        self.file_done = False
        # Set only by the closing boundary: a body that stops before it is incomplete.
        self.body_complete = False

    def callbacks(self) -> dict[str, object]:
        return {
            "on_part_begin": self._begin,
            "on_header_field": lambda data, start, end: self._field(data[start:end]),
            "on_header_value": lambda data, start, end: self._value(data[start:end]),
            "on_header_end": self._header_end,
            "on_headers_finished": self._headers_finished,
            "on_part_data": lambda data, start, end: self._data(data[start:end]),
            "on_part_end": self._end,
            "on_end": self._body_end,
        }

    def _begin(self) -> None:
        self.part = _Part()

    def _field(self, data: bytes) -> None:
        self.part.header_field += data

    def _value(self, data: bytes) -> None:
        self.part.header_value += data

    def _header_end(self) -> None:
        self.part.headers[self.part.header_field.decode("latin-1").lower()] = self.part.header_value.decode(
            "latin-1"
        )
        self.part.header_field, self.part.header_value = b"", b""

    def _headers_finished(self) -> None:
        _, options = parse_options_header(self.part.headers.get("content-disposition", ""))
        name = options.get(b"name", b"").decode("utf-8", "replace")
        if name == FILE_FIELD and not self.file_done and b"filename" in options:
            self.in_file = True
            self.filename = options[b"filename"].decode("utf-8", "replace")

    def _data(self, data: bytes) -> None:
        if self.in_file:
            self.pending.append(bytes(data))

    def _end(self) -> None:
        if self.in_file:
            self.in_file, self.file_done = False, True

    def _body_end(self) -> None:
        self.body_complete = True


def _malformed(error: FormParserError) -> BadRequest:
    # The parser's messages name what is wrong (a part header over its size limit, a broken
    # boundary) and carry nothing of the body itself.
    return BadRequest(f"The multipart body is malformed: {error}.")


async def receive_file(
    body: AsyncIterator[bytes],
    content_type_header: str,
    storage: FileStorage,
    *,
    max_bytes: int,
    allowed_types: Sequence[str],
) -> ReceivedFile:
    content_type, options = parse_options_header(content_type_header)
    boundary = options.get(b"boundary")
    if content_type != b"multipart/form-data" or not boundary:
        raise UnsupportedMediaType("Send the file as multipart/form-data, in a field named 'file'.")
    collector = _Collector()
    try:
        parser = MultipartParser(boundary, collector.callbacks())  # type: ignore[arg-type]
    except FormParserError as error:  # a boundary longer than multipart allows
        raise _malformed(error) from error
    sniffed: list[str] = []

    def check(head: bytes) -> None:
        whole_file = collector.file_done and len(head) <= _SNIFF_BYTES
        detected = sniff(head[:_SNIFF_BYTES], whole_file=whole_file)
        if detected is None or detected not in allowed_types:
            raise UnsupportedMediaType(f"Allowed types: {', '.join(allowed_types)}.")
        sniffed.append(detected)

    async def file_bytes() -> AsyncIterator[bytes]:
        head, size = b"", 0  # the file's first bytes, held back until its type is known
        async for chunk in body:
            try:
                parser.write(chunk)
            except FormParserError as error:
                raise _malformed(error) from error
            data, collector.pending = b"".join(collector.pending), []
            size += len(data)
            if size > max_bytes:
                raise PayloadTooLarge(f"Attachments are limited to {max_bytes} bytes.")
            if sniffed:
                if data:
                    yield data
                continue
            head += data
            if len(head) >= _SNIFF_BYTES or (collector.file_done and head):
                check(head)
                yield head
                head = b""
        if not collector.body_complete:
            raise BadRequest(
                "The multipart body ended before its closing boundary: the upload is incomplete."
            )

    key = storage.new_key(".bin")
    try:
        size = await storage.write(key, file_bytes())
    except BaseException:
        await storage.delete(key)
        raise
    if collector.filename is None or not sniffed:
        await storage.delete(key)
        raise InvalidInput(
            [{"loc": ["body", FILE_FIELD], "msg": "A non-empty file is required.", "type": "missing"}]
        )
    return ReceivedFile(safe_filename(collector.filename), sniffed[0], size, key)
