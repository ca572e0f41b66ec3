"""Give freed heap memory back to the operating system after a big job (a sync, an export).

CPython frees what a job allocated, but glibc's malloc keeps the freed pages of its arenas (each
thread that allocated has one) for reuse: after a sync of 23k sessions the process stayed at
+82 MB PSS, 49 MB of it free. ``malloc_trim(0)`` returns those pages (a few milliseconds). Other
C libraries (macOS, musl) return memory themselves or have no such call: nothing is done there.

Every process of ours (the console, the CLI, the sync processes) calls ``bound_heap`` first,
before its threads start, for two reasons measured during a sync of 100k sessions:

* one arena for all threads: each thread that allocates gets an arena of its own, whose freed
  blocks serve only it (the console's table jobs, the store's per-thread SQLite page caches): the
  console kept 43-54 MB free in its arenas beside 35 MB in use (PSS 113 MB); with one arena
  0-8 MB (PSS 72 MB), the keys as quick (the GIL serialises these threads anyway);
* every block of 128 KiB or more in a mapping of its own, unmapped when freed: glibc otherwise
  serves a block from the arenas once a block of that size was freed (its threshold rises up to
  32 MB), and the holes that a page's buffers (its bytes, JSON texts, the records sent on) leave
  between small objects are never returned, not even by a trim (the sync process: 42 MB free
  beside 26 MB in use, PSS 83 MB; with this 3-5 MB free, PSS 65-71 MB, the same CPU).
"""

from __future__ import annotations

import ctypes
import os
import sys
from collections.abc import Callable

#: glibc's ``mallopt`` parameters (malloc.h ``M_TRIM_THRESHOLD``, ``M_TOP_PAD``,
#: ``M_MMAP_THRESHOLD``, ``M_ARENA_MAX``).
_M_TRIM_THRESHOLD = -1
_M_TOP_PAD = -2
_M_MMAP_THRESHOLD = -3
_M_ARENA_MAX = -8
#: Blocks this large or larger get a mapping of their own (glibc's default starting threshold).
LARGE_BLOCK = 128 * 1024

_libc: ctypes.CDLL | None = None
_loaded = False


def _glibc() -> ctypes.CDLL | None:
    global _libc, _loaded
    if not _loaded:
        _loaded = True
        if sys.platform == "linux" and _libc_name() == "glibc":
            _libc = ctypes.CDLL("libc.so.6")  # glibc's one soname
    return _libc


def _malloc_trim() -> Callable[[int], int] | None:
    libc = _glibc()
    return None if libc is None else libc.malloc_trim


def _libc_name() -> str:
    """ "glibc" under glibc (its confstr; instant, unlike ``platform.libc_ver``'s file scan)."""
    try:
        return (os.confstr("CS_GNU_LIBC_VERSION") or "").split(" ")[0]
    except (ValueError, OSError):  # no such name: not glibc
        return ""


def bound_heap() -> bool:
    """For the rest of this process (call it first, before threads start): one malloc arena
    for all threads, and every block of ``LARGE_BLOCK`` bytes or more in a mapping of its own,
    returned to the OS when freed (glibc; elsewhere False, nothing done)."""
    libc = _glibc()
    if libc is None:
        return False
    return bool(libc.mallopt(_M_ARENA_MAX, 1) and libc.mallopt(_M_MMAP_THRESHOLD, LARGE_BLOCK))


#: ``reuse_large_blocks``: blocks below this come from the heap; the heap's top is returned to
#: the OS only when this much of it is free, and grows by ``STREAM_PAD`` beyond each need.
STREAM_BLOCK = 32 * 1024 * 1024
STREAM_PAD = 4 * 1024 * 1024


def reuse_large_blocks() -> bool:
    """For a process that handles buffers of a few MB again and again and then exits (a headless
    sync's two processes: a page's bytes, its records sent on; the simulator serving pages):
    those blocks come from the heap and are reused, where ``bound_heap`` maps and unmaps each
    one, whose every 4 KiB page the kernel then zeroes on first touch, and the heap's top stays
    put unless ``STREAM_BLOCK`` of it is free. Measured syncing 300k sessions with pages of
    1,000: page faults 3.3 + 2.2 a session -> 0.08 + 0.06, system CPU 16.6 + 8.9 us -> 6.7 +
    4.8, the sync process's peak RSS 88 -> 104 MB. After ``bound_heap``; glibc only."""
    libc = _glibc()
    if libc is None:
        return False
    return bool(
        libc.mallopt(_M_MMAP_THRESHOLD, STREAM_BLOCK)
        and libc.mallopt(_M_TRIM_THRESHOLD, STREAM_BLOCK)
        and libc.mallopt(_M_TOP_PAD, STREAM_PAD)
    )


def trim_heap() -> None:
    """Return the free pages of every malloc arena to the OS (glibc only; else nothing)."""
    trim = _malloc_trim()
    if trim is not None:
        trim(0)


def without_httpx_cli() -> None:
    """httpx imports its command-line client (click, pygments: ~3 MB of the console's PSS, ~6
    MB of the sync process's) whenever those are installed, as Textual installs them; no
    process of ours runs it. Marked absent before httpx is first imported, httpx defines its
    stub ``main`` instead. Called with ``bound_heap`` by each process's main."""
    sys.modules.setdefault("httpx._main", None)  # type: ignore[arg-type]
