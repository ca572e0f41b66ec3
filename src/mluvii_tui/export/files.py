"""Writing export files safely: a temporary name in the target directory, renamed at the end.

A cancelled or failed export removes its temporary file, so no partial file is ever left under the
target name. OS errors become an ``ExportError`` with a one-line message.
"""

from __future__ import annotations

import contextlib
import errno
import os
import shutil
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import IO, Any

BUFFER_SIZE = 1 << 20


class ExportError(Exception):
    """An export that cannot be done; ``message`` is one line for the user."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class TargetExists(ExportError):
    """The target file exists and overwriting was not allowed (ask the user, then retry)."""

    def __init__(self, path: Path) -> None:
        super().__init__(f"{path} already exists; choose another name or allow overwriting")
        self.path = path


def describe_os_error(exc: OSError, path: Path | str) -> str:
    code = exc.errno
    if code == errno.ENOSPC:
        return f"Disk full while writing {path}; nothing was written"
    if code == errno.EDQUOT:
        return f"Disk quota exceeded while writing {path}; nothing was written"
    if code == errno.EFBIG:
        return f"File too large for the file system while writing {path}; nothing was written"
    if code in (errno.EACCES, errno.EPERM, errno.EROFS):
        return f"Cannot write to {path}: permission denied"
    if code == errno.ENOENT:
        return f"Cannot write {path}: the directory does not exist"
    reason = exc.strerror or exc.__class__.__name__
    return f"Cannot write {path}: {reason}"


def check_target(path: Path, overwrite: bool) -> Path:
    """Check the target before any work: directory exists and is writable, no file in the way."""
    path = Path(os.path.expanduser(str(path)))
    if not path.name or path.name in (".", ".."):
        raise ExportError(f"{path} is not a file name")
    parent = path.parent if str(path.parent) else Path(".")
    if not parent.exists():
        raise ExportError(f"Directory {parent} does not exist")
    if not parent.is_dir():
        raise ExportError(f"{parent} is not a directory")
    if not os.access(parent, os.W_OK | os.X_OK):
        raise ExportError(f"Cannot write to directory {parent}: permission denied")
    if path.is_dir():
        raise ExportError(f"{path} is a directory")
    if path.exists() and not overwrite:
        raise TargetExists(path)
    return path


class AtomicFile:
    """A text file written under a temporary name next to ``path``; ``commit()`` renames it."""

    def __init__(
        self,
        path: Path,
        *,
        encoding: str = "utf-8",
        newline: str | None = None,
        errors: str = "strict",
        overwrite: bool = False,
        suffix: str = ".part",
    ) -> None:
        self.path = path
        self.overwrite = overwrite
        try:
            fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=suffix, dir=path.parent)
        except OSError as exc:
            raise ExportError(describe_os_error(exc, path)) from exc
        self.tmp = Path(tmp)  # mode 0600: exports hold personal data
        self.file: IO[str] = open(  # noqa: SIM115 - closed in commit/discard
            fd, "w", encoding=encoding, newline=newline, errors=errors, buffering=BUFFER_SIZE
        )

    def commit(self) -> None:
        try:
            self.file.close()
            if self.path.exists() and not self.overwrite:
                raise TargetExists(self.path)
            os.replace(self.tmp, self.path)
        except OSError as exc:
            self.discard()
            raise ExportError(describe_os_error(exc, self.path)) from exc
        except ExportError:
            self.discard()
            raise

    def discard(self) -> None:
        try:
            if not self.file.closed:
                self.file.close()
        except OSError:
            pass
        with contextlib.suppress(OSError):
            self.tmp.unlink(missing_ok=True)


@contextlib.contextmanager
def discarded_on_error(discard: Callable[[], None], target: Path) -> Iterator[None]:
    """Run the block; on any error ``discard()`` what it wrote, an OSError becoming an
    ExportError with one clear line about ``target``."""
    try:
        yield
    except OSError as exc:
        discard()
        raise ExportError(describe_os_error(exc, target)) from exc
    except BaseException:
        discard()
        raise


def copy_bytes(src: Any, dst: Any) -> None:
    """Append the whole of file ``src`` to ``dst`` (both flushed) as bytes, in the kernel when
    it can (no decoding and re-encoding of the sections)."""
    size = os.fstat(src.fileno()).st_size
    offset = 0
    try:
        while offset < size:
            sent = os.sendfile(dst.fileno(), src.fileno(), offset, min(size - offset, 1 << 30))
            if sent == 0:
                break
            offset += sent
    except (AttributeError, OSError):
        if offset:
            raise
    if offset >= size:
        return
    src.seek(0)
    shutil.copyfileobj(src, dst, 1 << 20)
