"""heap.bound_heap: a large block stays in a mapping of its own even after a larger one
was freed (glibc would otherwise raise its threshold and serve it from the arena, where its hole
stays). Run in a fresh interpreter: the setting is for the whole process."""

from __future__ import annotations

import platform
import subprocess
import sys

import pytest

pytestmark = pytest.mark.skipif(
    sys.platform != "linux" or platform.libc_ver()[0] != "glibc", reason="glibc's malloc only"
)

#: What the probes share: glibc's ``mallinfo2`` (blocks mapped: ``hblks``; heap: ``arena``).
MALLINFO = r"""
import ctypes, sys
from mluvii_tui.heap import bound_heap, reuse_large_blocks

class Info(ctypes.Structure):
    _fields_ = [(n, ctypes.c_size_t) for n in (
        "arena", "ordblks", "smblks", "hblks", "hblkhd", "usmblks", "fsmblks", "uordblks",
        "fordblks", "keepcost")]

libc = ctypes.CDLL("libc.so.6")
libc.mallinfo2.restype = Info
"""

PROBE = (
    MALLINFO
    + r"""
if sys.argv[1] == "fixed":
    assert bound_heap()
big = bytearray(8 << 20)  # freed: glibc's own threshold would rise to 8 MB
del big
before = libc.mallinfo2().hblks
block = bytearray(512 << 10)
print(libc.mallinfo2().hblks - before)
"""
)


def _mapped(mode: str) -> int:
    out = subprocess.run(
        [sys.executable, "-c", PROBE, mode], capture_output=True, text=True, check=True
    )
    return int(out.stdout)


def test_a_large_block_keeps_a_mapping_of_its_own_after_a_larger_one_was_freed() -> None:
    assert _mapped("default") == 0  # glibc's sliding threshold: from the arena
    assert _mapped("fixed") == 1


ARENAS = r"""
import ctypes, os, sys, tempfile, threading
from mluvii_tui.heap import bound_heap

if sys.argv[1] == "bound":
    assert bound_heap()
kept = []
def allocate():
    kept.extend(bytearray(4096) for _ in range(100))  # malloc, not Python's small-object pool
threads = [threading.Thread(target=allocate) for _ in range(4)]
for t in threads:
    t.start()
for t in threads:
    t.join()
libc = ctypes.CDLL("libc.so.6")
libc.fopen.restype = ctypes.c_void_p
path = os.path.join(tempfile.mkdtemp(), "info.xml")
f = libc.fopen(path.encode(), b"w")
libc.malloc_info(0, ctypes.c_void_p(f))
libc.fclose(ctypes.c_void_p(f))
print(open(path).read().count("<heap nr="))
"""


def _arenas(mode: str) -> int:
    out = subprocess.run(
        [sys.executable, "-c", ARENAS, mode], capture_output=True, text=True, check=True
    )
    return int(out.stdout)


def test_threads_share_one_arena() -> None:
    assert _arenas("default") > 1  # each allocating thread gets an arena of its own
    assert _arenas("bound") == 1


STREAM = (
    MALLINFO
    + r"""
assert bound_heap()
if sys.argv[1] == "stream":
    assert reuse_large_blocks()
before = libc.mallinfo2()
page = bytearray(4 << 20)  # a page's bytes
mapped = libc.mallinfo2().hblks - before.hblks
del page
kept = libc.mallinfo2().arena - before.arena  # the freed block stays in the heap for the next
print(mapped, kept >= 4 << 20)
"""
)


def _stream(mode: str) -> str:
    out = subprocess.run(
        [sys.executable, "-c", STREAM, mode], capture_output=True, text=True, check=True
    )
    return out.stdout.strip()


def test_a_streaming_process_reuses_its_large_blocks_from_the_heap() -> None:
    assert _stream("bound") == "1 False"  # mapped, unmapped when freed: zeroed pages again
    assert _stream("stream") == "0 True"
