"""simplemma's dictionaries as MARISA tries in our cache dir, each built once in a short-lived
process of its own.

Opening a language's trie costs ~1 MB and ~5 ms; building it loads simplemma's pickled
dictionary as a Python dict first (~30-40 MB for Czech). Built inside a long-lived process, that
peak stays its high-water mark: the first sync on a new machine built the tries in its parsing
and its writing process at once (peaks 133 and 107 MB at 100k, against 91 and 76 MB once the tries
exist), and a console that searches while its first sync runs builds them a third time. So a
missing trie is built by ``python -m mluvii_tui.query.lemmatries DIR LANG...`` (one at a time
under a lock file; written under a temporary name, then renamed, so that a reader never opens a
half-written file), and the caller waits for it. When that fails (no writable cache dir, no
interpreter to start), simplemma's factory builds the trie in the caller as before.
"""

from __future__ import annotations

import contextlib
import os
import subprocess
import sys
import tempfile
from collections.abc import Iterable
from pathlib import Path

#: A child that takes longer is left to finish on its own; the caller builds in-process.
BUILD_TIMEOUT_S = 120.0


def trie_path(directory: Path, lang: str) -> Path:
    return directory / f"{lang}.dic"  # the name simplemma's TrieDictionaryFactory reads


def ensure_tries(directory: Path, languages: Iterable[str]) -> None:
    """Build the missing tries of ``languages`` in a child process and wait for it."""
    missing = [lang for lang in languages if not trie_path(directory, lang).exists()]
    if not missing:
        return
    with contextlib.suppress(OSError, subprocess.SubprocessError):
        subprocess.run(
            [sys.executable, "-m", __name__, str(directory), *missing],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            timeout=BUILD_TIMEOUT_S,
            check=False,
        )


def build_tries(directory: Path, languages: Iterable[str]) -> None:
    """Build each missing trie under ``directory`` (the child's work), one builder at a time."""
    import fcntl

    from simplemma.strategies.dictionaries.trie_dictionary_factory import TrieDictionaryFactory

    directory.mkdir(parents=True, exist_ok=True)
    with open(directory / ".lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # another builder's tries are there once it returns
        for lang in languages:
            final = trie_path(directory, lang)
            if final.exists():
                continue
            with tempfile.TemporaryDirectory(dir=directory) as tmp:
                factory = TrieDictionaryFactory(cache_max_size=1, disk_cache_dir=tmp)
                factory.get_dictionary(lang)  # builds the trie and saves it as tmp/LANG.dic
                os.replace(trie_path(Path(tmp), lang), final)


if __name__ == "__main__":
    build_tries(Path(sys.argv[1]), sys.argv[2:])
