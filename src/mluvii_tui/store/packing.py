"""The kept JSON of each session, compressed: zstd with a 112 KB dictionary trained on the
store's own sessions (~385 bytes for ~3.4 KB of JSON, ~1.2 KB with zlib), read back by
its frame's dictionary id. Blobs of older stores (zlib) still read.

Once TRAIN_MIN sessions are stored the dictionary is trained (``train``); it is kept in the
``zstd_dicts`` table and loaded whenever the store opens; the sessions stored before it are
packed again with it.
"""

from __future__ import annotations

import sqlite3
import threading
import zlib

import zstandard

ZSTD_MAGIC = b"\x28\xb5\x2f\xfd"
#: zstd levels with the dictionary, measured on 20k synced sessions (112 KB dictionary, B per
#: session / us CPU to pack): 3: 430 / 7, 5: 413 / 18, 6: 392 / 30 (unpacking ~3 us at each).
#: What packs instead: level 3's double-fast search with smaller tables. On 5,000 of the
#: simulator's sessions (dictionary trained on 3,000 others): 427.3 B / 6.8 us CPU, where the
#: greedy search of schema v6 took 384.9 B / 17.4 us (neither its search depth, 1-4, nor its
#: tables changed that: ~17 us at 380-417 B). Packing runs in the sync's writing process, the
#: busier of the two; the 42 B came from the quick index (operators by value, schema v7: -39 B).
PARAMS = zstandard.ZstdCompressionParameters(
    window_log=17,
    hash_log=16,
    chain_log=16,
    min_match=6,
    strategy=zstandard.STRATEGY_DFAST,
    write_dict_id=1,  # (level's default; ``unpack`` picks the dictionary by it)
)
DICT_BYTES = 112 * 1024  # measured on 20k synced sessions: 64 KB 438 B, 112 KB 430, 128 KB 439
#: A dictionary is trained once the store holds at least this many sessions (up to TRAIN_MAX).
TRAIN_MIN = 500
TRAIN_MAX = 3000


class UnknownDictionary(ValueError):
    """A blob names a dictionary this process has not loaded (another process, the sync's
    writer, trained it after this store was opened)."""


class Packer:
    """Compresses with the newest dictionary, decompresses with whichever a blob names."""

    def __init__(self) -> None:
        self._lock = threading.Lock()  # zstd (de)compressor objects are not thread-safe
        self._pack = zstandard.ZstdCompressor(compression_params=PARAMS)
        self._unpack: dict[int, zstandard.ZstdDecompressor] = {0: zstandard.ZstdDecompressor()}
        self.has_dict = False

    def load(self, conn: sqlite3.Connection) -> None:
        for (data,) in conn.execute("SELECT data FROM zstd_dicts ORDER BY rowid"):
            self.add(data)

    def add(self, data: bytes) -> int:
        d = zstandard.ZstdCompressionDict(data)
        with self._lock:
            self._unpack[d.dict_id()] = zstandard.ZstdDecompressor(dict_data=d)
            self._pack = zstandard.ZstdCompressor(compression_params=PARAMS, dict_data=d)
            self.has_dict = True
        return d.dict_id()

    def forget(self, dict_id: int) -> None:
        """Undo ``add`` (its transaction rolled back): back to plain zstd."""
        with self._lock:
            self._unpack.pop(dict_id, None)
            self._pack = zstandard.ZstdCompressor(compression_params=PARAMS)
            self.has_dict = False

    def pack(self, raw: bytes) -> bytes:
        with self._lock:
            return self._pack.compress(raw)

    def unpack(self, blob: bytes) -> bytes:
        """The JSON bytes of a blob; raises (ValueError, zstandard.ZstdError, zlib.error) when
        it is damaged or names a dictionary this store does not have."""
        if blob[:4] != ZSTD_MAGIC:
            return zlib.decompress(blob)
        dict_id = zstandard.get_frame_parameters(blob).dict_id
        with self._lock:
            unpacker = self._unpack.get(dict_id)
            if unpacker is None:
                raise UnknownDictionary(f"unknown compression dictionary {dict_id}")
            return unpacker.decompress(blob)


def train(samples: list[bytes]) -> bytes:
    chosen: list[bytes | bytearray | memoryview] = list(samples[:TRAIN_MAX])
    return zstandard.train_dictionary(DICT_BYTES, chosen).as_bytes()
