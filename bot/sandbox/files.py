"""Files sent through the sandbox, kept as Telegram keeps them: under a file id, and a path that getFile gives
and the file download path (/file/bot<token>/<file_path>) serves."""

from __future__ import annotations

import itertools
import mimetypes
import secrets
from dataclasses import dataclass
from typing import Any

# The largest file a bot may download through getFile (Telegram's limit); the sandbox keeps no larger one.
MAX_FILE_SIZE = 20 * 1024 * 1024
OCTET_STREAM = "application/octet-stream"


class FileTooBig(ValueError):
    pass


@dataclass(frozen=True, slots=True)
class Upload:
    """A file sent in a multipart field: its bytes, and the name and type its sender gave it."""

    content: bytes
    filename: str | None = None
    content_type: str | None = None


@dataclass(frozen=True, slots=True)
class StoredFile:
    file_id: str
    file_path: str
    content: bytes
    file_name: str | None
    mime_type: str

    @property
    def unique_id(self) -> str:
        return self.file_id[:16]

    def as_document(self) -> dict[str, Any]:
        """Telegram's Document."""
        document: dict[str, Any] = {
            "file_id": self.file_id,
            "file_unique_id": self.unique_id,
            "mime_type": self.mime_type,
            "file_size": len(self.content),
        }
        if self.file_name:
            document["file_name"] = self.file_name
        return document

    def as_file(self) -> dict[str, Any]:
        """Telegram's File, as getFile answers."""
        return {
            "file_id": self.file_id,
            "file_unique_id": self.unique_id,
            "file_size": len(self.content),
            "file_path": self.file_path,
        }


class FileStore:
    def __init__(self, max_size: int = MAX_FILE_SIZE) -> None:
        self.max_size = max_size
        self._by_id: dict[str, StoredFile] = {}
        self._by_path: dict[str, StoredFile] = {}
        self._numbers = itertools.count()

    def add(self, upload: Upload, folder: str, mime_type: str | None = None) -> StoredFile:
        """Keep a file under a new id, in `folder` ("photos", "documents") as Telegram names them; `mime_type`:
        what it is, where its sender's word is not taken (a photo)."""
        if len(upload.content) > self.max_size:
            raise FileTooBig(f"a file may be {self.max_size:,} bytes at most, what a bot can download")
        number = next(self._numbers)
        suffix = ""
        if upload.filename and "." in upload.filename:
            suffix = "." + "".join(c for c in upload.filename.rsplit(".", 1)[1] if c.isalnum())[:8]
        given = upload.content_type if upload.content_type != OCTET_STREAM else None
        mime = mime_type or given or mimetypes.guess_type(upload.filename or "")[0] or OCTET_STREAM
        stored = StoredFile(
            f"{folder[:3]}{number}{secrets.token_urlsafe(12)}",
            f"{folder}/file_{number}{suffix}",
            upload.content,
            upload.filename,
            mime,
        )
        self._by_id[stored.file_id] = stored
        self._by_path[stored.file_path] = stored
        return stored

    def get(self, file_id: str) -> StoredFile | None:
        return self._by_id.get(file_id)

    def at(self, file_path: str) -> StoredFile | None:
        return self._by_path.get(file_path)
