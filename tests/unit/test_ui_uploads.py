"""Screening, saving and recording uploads; where private uploads go."""

from __future__ import annotations

from pathlib import Path

from rag.config import Settings
from rag.models import ArticleRecord
from ui.chat_db import INDEXED, UploadLog, create_schema
from ui.uploads import (
    id_conflicts,
    outcomes,
    records,
    save,
    screen,
    upload_target,
    user_folder,
)

ARTICLE = "---\nid: {id}\ntitle: T\nsource: S\n---\n\nXiaomi opened a store in Nairobi.\n"


def settings(tmp_path: Path, **overrides: object) -> Settings:
    return Settings(data_dir=tmp_path / ".rag", **overrides)  # type: ignore[arg-type]


def temp_file(tmp_path: Path, name: str, data: bytes) -> tuple[str, Path]:
    path = tmp_path / "chainlit-tmp" / name
    path.parent.mkdir(exist_ok=True)
    path.write_bytes(data)
    return name, path


def test_screen_applies_every_check_in_order(tmp_path: Path) -> None:
    s = settings(tmp_path, upload_max_files=4, upload_max_file_mb=0.01, upload_max_user_mb=0.02)
    files = [
        temp_file(tmp_path, "ok.md", ARTICLE.format(id="a").encode()),
        temp_file(tmp_path, "big.md", b"x" * 20_000),
        temp_file(tmp_path, "fake.pdf", b"not a pdf"),
        temp_file(tmp_path, "notes.docx", b"PK\x03\x04"),
        temp_file(tmp_path, "fifth.md", b"one too many"),
    ]
    screened = screen(files, s, used_bytes=0)
    assert [c.name for c in screened.accepted] == ["ok.md"]
    reasons = {name: reason for name, reason, _ in screened.rejected}
    assert "larger than the 10 KB limit" in reasons["big.md"]
    assert "not a PDF" in reasons["fake.pdf"]
    assert "unsupported file type" in reasons["notes.docx"]
    assert "at most 4 files per message" in reasons["fifth.md"]
    assert len(screened.accepted[0].sha256) == 64

    over_quota = screen(files[:1], s, used_bytes=20_950)
    assert "would exceed" in over_quota.rejected[0][1]


def test_private_uploads_get_a_folder_per_user(tmp_path: Path) -> None:
    private = settings(tmp_path)
    folder, owner = upload_target(private, "alice")
    assert owner == "alice" and folder == user_folder(private, "alice")
    assert folder.parent == private.uploads_dir / "users" and folder.name.startswith("alice-")
    assert user_folder(private, "a/b") != user_folder(private, "a_b")  # names cannot collide
    assert user_folder(private, "../..").parent == private.uploads_dir / "users"
    for mode in ("shared", "admin"):
        assert upload_target(settings(tmp_path, upload_visibility=mode), "alice") == (
            private.uploads_dir,
            None,
        )


def test_save_never_overwrites_another_upload(tmp_path: Path) -> None:
    s = settings(tmp_path)
    first = screen([temp_file(tmp_path, "a.md", ARTICLE.format(id="a").encode())], s, 0)
    saved = save(first.accepted, s.uploads_dir)
    second = screen([temp_file(tmp_path, "a.md", ARTICLE.format(id="b").encode())], s, 0)
    saved_again = save(second.accepted, s.uploads_dir)
    digest = second.accepted[0].sha256[:8]
    assert [Path(p).name for p in (*saved, *saved_again)] == ["a.md", f"a-{digest}.md"]
    assert "id: a\n" in (s.uploads_dir / "a.md").read_text()  # the first one is intact
    assert list(save(first.accepted, s.uploads_dir)) == list(saved)  # same content: same file


def test_an_upload_cannot_take_over_someone_elses_article(tmp_path: Path) -> None:
    s = settings(tmp_path)
    screened = screen([temp_file(tmp_path, "x.md", ARTICLE.format(id="shared-1").encode())], s, 0)
    saved = save(screened.accepted, s.uploads_dir)
    record = ArticleRecord(
        id="shared-1", content_hash="h", path="corpus/x.md", title="T", source="S",
        published=None, chunk_ids=[], owner=None,
    )  # fmt: skip
    assert id_conflicts(saved, {"shared-1": record}, owner="alice")  # would hide a shared one
    assert not id_conflicts(saved, {"shared-1": record}, owner=None)  # shared mode: an update
    mine = record.model_copy(update={"owner": "alice"})
    assert not id_conflicts(saved, {"shared-1": mine}, owner="alice")
    problem = id_conflicts(saved, {"shared-1": mine}, owner="bob")
    assert "already indexed" in next(iter(problem.values()))


def test_outcomes_and_records(tmp_path: Path) -> None:
    s = settings(tmp_path)
    screened = screen(
        [
            temp_file(tmp_path, "a.md", ARTICLE.format(id="a").encode()),
            temp_file(tmp_path, "b.md", ARTICLE.format(id="b").encode() + b" more"),
            temp_file(tmp_path, "c.pdf", b"text"),
        ],
        s,
        0,
    )
    saved = save(screened.accepted, s.uploads_dir)
    path_a, path_b = list(saved)
    final = outcomes(saved, [f"{path_b}: broken front matter"], [])
    assert final == {path_a: INDEXED, path_b: "skipped: broken front matter"}
    rows = records("alice", "private", screened, saved, final)
    assert [(r.file_name, r.outcome.split(":")[0]) for r in rows] == [
        ("a.md", INDEXED),
        ("b.md", "skipped"),
        ("c.pdf", "rejected"),
    ]

    db = tmp_path / "chat.db"
    create_schema(db)
    log = UploadLog(db)
    log.add(rows)
    log.add(rows[:1])  # the same file again counts once toward the quota
    assert log.bytes_indexed("alice") == rows[0].size
    assert log.bytes_indexed("bob") == 0
    assert [r["user"] for r in log.rows()] == ["alice"] * 4


class FakeShared:
    """What UploadDesk needs of SharedAssistants to decide who may upload."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings


def test_admin_mode_and_hourly_limit(tmp_path: Path) -> None:
    from ui.upload_flow import UploadDesk
    from ui.users import Account, Directory, hash_password, save_file

    s = settings(tmp_path, upload_visibility="admin", uploads_per_hour=3, ui_admins="carol")
    save_file(s.data_dir / "users.json", {"alice": Account("alice", hash_password("pw"), True)})
    create_schema(s.data_dir / "chat.db")
    desk = UploadDesk(FakeShared(s), Directory(s))  # type: ignore[arg-type]
    refusal = desk.refusal("bob", "bob", 1)
    assert refusal is not None and "Only administrators" in refusal
    assert desk.refusal("alice", "alice", 2) is None  # admin in the users file
    assert desk.refusal("carol", "carol", 3) is None  # admin by RAG_UI_ADMINS
    limited = desk.refusal("alice", "alice", 2)
    assert (
        limited is not None and "3 uploaded files per hour" in limited and "Please wait" in limited
    )
