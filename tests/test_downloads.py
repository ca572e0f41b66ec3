"""Safe file names inside a chosen folder; opening with a player."""

from __future__ import annotations

from pathlib import Path

import pytest

from mluvii_tui.domain.downloads import (
    DownloadError,
    open_file,
    opener,
    safe_filename,
    target_path,
)


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("report.pdf", "report.pdf"),
        ("../../etc/passwd", "passwd"),
        ("..\\..\\windows\\system32\\cmd.exe", "cmd.exe"),
        ("..", "download"),
        ("...", "download"),
        ("", "download"),
        (None, "download"),
        ("/", "download"),
        ("a\x00b\x1b[2Jc.txt", "abc.txt"),
        ("evil\u202etxt.exe", "eviltxt.exe"),
        ("CON", "_CON"),
        ("nul.txt", "_nul.txt"),
        ('a<b>c:"d|e?f*.png', "a_b_c__d_e_f_.png"),
        (" .hidden ", "hidden"),
        ("photo.JPG.", "photo.JPG"),
    ],
)
def test_safe_filename(name: object, expected: str) -> None:
    assert safe_filename(name) == expected


def test_long_name_keeps_extension() -> None:
    name = "č" * 500 + ".mp4"
    safe = safe_filename(name)
    assert safe.endswith(".mp4")
    assert len(safe.encode()) <= 200


def test_target_path_never_leaves_folder(tmp_path: Path) -> None:
    for evil in ("../../etc/passwd", "/etc/shadow", "..", "a/../../b", "\\..\\x", "~/.ssh/id"):
        path = target_path(tmp_path, evil)
        assert path.parent == tmp_path.resolve()


def test_collisions_get_numbers(tmp_path: Path) -> None:
    first = target_path(tmp_path, "cv.pdf")
    first.write_text("x")
    second = target_path(tmp_path, "cv.pdf")
    assert second.name == "cv (1).pdf"
    second.write_text("x")
    assert target_path(tmp_path, "cv.pdf").name == "cv (2).pdf"
    (tmp_path / "README").write_text("x")
    assert target_path(tmp_path, "README").name == "README (1)"


def test_target_path_creates_folder(tmp_path: Path) -> None:
    path = target_path(tmp_path / "new" / "dir", "a.txt")
    assert path.parent.is_dir()


def test_target_path_bad_folder(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("x")
    with pytest.raises(DownloadError):
        target_path(blocker, "a.txt")
    with pytest.raises(DownloadError):
        target_path(blocker / "sub", "a.txt")


def test_opener_prefers_mpv(tmp_path: Path) -> None:
    found = {"xdg-open": "/usr/bin/xdg-open", "mpv": "/usr/bin/mpv"}
    assert opener(tmp_path / "a.mp4", found.get) == ["/usr/bin/mpv", str(tmp_path / "a.mp4")]
    assert opener(tmp_path / "a.mp4", {"xdg-open": "/x/xdg-open"}.get)[0] == "/x/xdg-open"
    assert opener(tmp_path / "a.mp4", {}.get) is None


def test_open_file_reports(tmp_path: Path) -> None:
    target = tmp_path / "a.txt"
    target.write_text("x")
    msg = open_file(target, ["/nonexistent/player-xyz"])
    assert "could not start" in msg and str(target) in msg
    msg = open_file(target, ["true"])
    assert msg.startswith("Opening a.txt")
