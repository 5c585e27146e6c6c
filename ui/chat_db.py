"""The chat UI's SQLite database (`<data_dir>/chat.db`): schema, and the uploads table.

Chainlit's SQLAlchemy data layer keeps users, threads (conversations), steps (messages),
elements (citation panels) and feedbacks here; it does not create tables, so
`create_schema` does, on first start (idempotent). `element_blobs` holds the citation
panels' text, `uploads` one row per uploaded file (who, when, what, outcome).
"""

from __future__ import annotations

import sqlite3
import threading
from contextlib import closing
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from rag.config import Settings

SCHEMA = """
CREATE TABLE IF NOT EXISTS users (
    "id" TEXT PRIMARY KEY,
    "identifier" TEXT NOT NULL UNIQUE,
    "metadata" TEXT NOT NULL DEFAULT '{}',
    "createdAt" TEXT
);
CREATE TABLE IF NOT EXISTS threads (
    "id" TEXT PRIMARY KEY,
    "createdAt" TEXT,
    "name" TEXT,
    "userId" TEXT REFERENCES users("id") ON DELETE CASCADE,
    "userIdentifier" TEXT,
    "tags" TEXT,
    "metadata" TEXT
);
CREATE INDEX IF NOT EXISTS threads_user ON threads("userId");
CREATE TABLE IF NOT EXISTS steps (
    "id" TEXT PRIMARY KEY,
    "name" TEXT NOT NULL,
    "type" TEXT NOT NULL,
    "threadId" TEXT NOT NULL REFERENCES threads("id") ON DELETE CASCADE,
    "parentId" TEXT,
    "command" TEXT,
    "modes" TEXT,
    "streaming" BOOLEAN NOT NULL DEFAULT 0,
    "waitForAnswer" BOOLEAN,
    "isError" BOOLEAN,
    "metadata" TEXT,
    "tags" TEXT,
    "input" TEXT,
    "output" TEXT,
    "createdAt" TEXT,
    "start" TEXT,
    "end" TEXT,
    "generation" TEXT,
    "showInput" TEXT,
    "defaultOpen" BOOLEAN,
    "autoCollapse" BOOLEAN,
    "language" TEXT,
    "icon" TEXT
);
CREATE INDEX IF NOT EXISTS steps_thread ON steps("threadId");
CREATE TABLE IF NOT EXISTS elements (
    "id" TEXT PRIMARY KEY,
    "threadId" TEXT REFERENCES threads("id") ON DELETE CASCADE,
    "type" TEXT,
    "url" TEXT,
    "chainlitKey" TEXT,
    "name" TEXT NOT NULL,
    "display" TEXT,
    "objectKey" TEXT,
    "size" TEXT,
    "page" INTEGER,
    "language" TEXT,
    "forId" TEXT,
    "mime" TEXT,
    "props" TEXT,
    "autoPlay" BOOLEAN,
    "playerConfig" TEXT
);
CREATE INDEX IF NOT EXISTS elements_thread ON elements("threadId");
CREATE TABLE IF NOT EXISTS feedbacks (
    "id" TEXT PRIMARY KEY,
    "forId" TEXT NOT NULL,
    "threadId" TEXT,
    "value" INTEGER NOT NULL,
    "comment" TEXT
);
CREATE TABLE IF NOT EXISTS element_blobs (
    object_key TEXT PRIMARY KEY,
    mime TEXT NOT NULL,
    data BLOB NOT NULL
);
CREATE TABLE IF NOT EXISTS uploads (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    user TEXT NOT NULL,
    time TEXT NOT NULL,
    file_name TEXT NOT NULL,
    sha256 TEXT NOT NULL,
    size INTEGER NOT NULL,
    outcome TEXT NOT NULL,
    visibility TEXT NOT NULL,
    stored_as TEXT
);
CREATE INDEX IF NOT EXISTS uploads_user ON uploads(user, time);
"""
INDEXED = "indexed"  # the outcome of an upload that is in the index


def db_path(settings: Settings) -> Path:
    return settings.data_dir / "chat.db"


def connect(path: Path) -> sqlite3.Connection:
    connection = sqlite3.connect(path, timeout=30)
    connection.row_factory = sqlite3.Row
    return connection


def create_schema(path: Path) -> None:
    """Create the database file and its tables if missing (WAL: readers never block)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with closing(connect(path)) as db, db:
        db.execute("PRAGMA journal_mode=WAL")
        db.executescript(SCHEMA)


@dataclass(frozen=True)
class UploadRecord:
    user: str
    file_name: str
    sha256: str
    size: int
    outcome: str  # INDEXED, or "rejected: why" / "skipped: why" / "duplicate: ..."
    visibility: str
    stored_as: str | None = None


class UploadLog:
    """The uploads table: every upload with its uploader and outcome."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._lock = threading.Lock()

    def add(self, records: list[UploadRecord]) -> None:
        when = datetime.now(UTC).isoformat(timespec="seconds")
        rows = [
            (r.user, when, r.file_name, r.sha256, r.size, r.outcome, r.visibility, r.stored_as)
            for r in records
        ]
        with self._lock, closing(connect(self.path)) as db, db:
            db.executemany(
                "INSERT INTO uploads (user, time, file_name, sha256, size, outcome, visibility,"
                " stored_as) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                rows,
            )

    def bytes_indexed(self, user: str) -> int:
        """Bytes of this user's distinct indexed uploads (the same file twice counts once)."""
        with closing(connect(self.path)) as db:
            row = db.execute(
                "SELECT COALESCE(SUM(size), 0) FROM (SELECT DISTINCT sha256, size FROM uploads"
                " WHERE user = ? AND outcome = ?)",
                (user, INDEXED),
            ).fetchone()
        return int(row[0])

    def rows(self, user: str | None = None) -> list[sqlite3.Row]:
        """The recorded uploads, oldest first (all users, or one)."""
        query = "SELECT * FROM uploads" + (" WHERE user = ?" if user else "") + " ORDER BY id"
        with closing(connect(self.path)) as db:
            return db.execute(query, (user,) if user else ()).fetchall()
