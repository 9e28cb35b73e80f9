"""Word shingles, MinHash signatures and LSH band keys of release texts, with NumPy.

A text's shingles are its runs of SHINGLE_WORDS consecutive words, each word reduced to a
typo-insensitive key (see word_key), hashed to 64 bits; its signature holds, for each of
NUM_PERM hash functions, the least hash of its shingles. The share of equal places in two
signatures estimates the Jaccard similarity of their shingle sets. Signatures are cut into
BANDS bands of ROWS values; two texts that agree on a whole band become candidates (the LSH of
Leskovec, Rajaraman and Ullman, ch. 3), and candidates are confirmed by their exact shingle
sets (see similarity: Jaccard, or containment when one text is the other with a passage
added).

Measured against datasketch's MinHash and MinHashLSH (tests/benchmarks/lineage.py): the
same estimates, and signatures more than twice as quick, because the hash functions run as
one NumPy expression over all shingles, where datasketch hashes each shingle with SHA-1 in
Python first; and the bands live in the archive's SQLite file, not in memory. Hash values
are stable across processes and versions of Python (the words' hashes come from BLAKE2b,
not from `hash()`), so that signatures can be stored.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Sequence

import numpy as np
import numpy.typing as npt

#: Words per shingle. Five keeps the shared phrases of one office's boilerplate ("held a
#: telephone conversation with") from making unrelated short releases look alike (three or
#: four made two different ratification laws of the real corpus 0.86 and 0.83 alike).
SHINGLE_WORDS = 5
#: 30 bands of 4: a pair of Jaccard 0.5 (a short release with boilerplate added, similar at
#: 0.8 by containment) is a candidate 86% of the time, one of 0.6 98.5%, one of 0.7 99.97%
#: (20 bands of 6 found those 27%, 61% and 92%).
BANDS = 30
ROWS = 4
#: What the stored signatures and bands were computed by: an archive whose lineage data has
#: another version is computed anew (by the rebuild) before its versions are used.
DATA_VERSION = "2"
#: Containment counts when the shorter text has at most this many shingles that the longer
#: lacks (a passage added or dropped at one place breaks SHINGLE_WORDS - 1 on each side)...
CONTAINED_SLACK = 2 * (SHINGLE_WORDS - 1)
#: ... and is at least this share of the longer one (a short text quoted in a long one is not
#: a version of it).
CONTAINED_RATIO = 0.5
NUM_PERM = BANDS * ROWS
#: The signature of a text without words (it is never a candidate of anything).
EMPTY = np.iinfo(np.uint32).max

_WORD = re.compile(r"\w+")
_MIX = np.uint64(0x9E3779B97F4A7C15)  # the 64-bit golden ratio, odd
_rng = np.random.default_rng(20_240_521)
#: Multiply-shift hash functions h(x) = (a * x + b) mod 2**64 >> 32, a odd.
_A = (_rng.integers(1, 2**63 - 1, NUM_PERM, dtype=np.uint64) << np.uint64(1)) | np.uint64(1)
_B = _rng.integers(0, 2**63 - 1, NUM_PERM, dtype=np.uint64)
#: Signing many texts at once: their shingles are hashed in groups of about this many, by
#: as many hash functions at a time as keep the temporary array to _BLOCK values (2 MB:
#: within the processor's cache, which made it twice as quick as larger blocks, measured).
_GROUP = 1 << 16
_BLOCK = 1 << 18
#: Signatures whose band keys are computed at a time.
_KEY_ROWS = 8192


class _WordHashes(dict[str, int]):
    """Each word's 64-bit hash (of its key), computed once (looked up in C by `map`)."""

    def __missing__(self, word: str) -> int:
        if len(self) > 1_000_000:
            self.clear()
        key = word_key(word).encode("utf-8", "surrogatepass")
        digest = hashlib.blake2b(key, digest_size=8).digest()
        h = self[word] = int.from_bytes(digest, "little")
        return h


_word_hashes = _WordHashes()

Shingles = npt.NDArray[np.uint64]
Signature = npt.NDArray[np.uint32]


def words(text: str) -> list[str]:
    """The words of a text, lower-cased (letters and digits of any script)."""
    return _WORD.findall(text.lower())


def word_key(word: str) -> str:
    """A word as shingles see it: lower-cased and, when it has more than four letters and no
    digit, its first and last letters with the others sorted, so that a typo of two letters
    swapped inside it, or its correction ("governmnet" / "government"), keeps the text's
    shingles. Numbers and short words stay exact, and names that make one templated release
    another ("Samara" / "Moscow") differ in their letters, not in their order. (Keeping
    capitalised words exact as well missed typos in names and sentences' first words, and
    kept the templated ratification laws of the real corpus hardly further apart: 0.762
    against 0.767, measured.)"""
    word = word.lower()
    if len(word) <= 4 or not word.isalpha():
        return word
    return word[0] + word[-1] + "".join(sorted(word[1:-1]))


def shingles(text: str) -> Shingles:
    """The text's distinct shingle hashes (over word keys), sorted. A text shorter than a
    shingle is one shingle of all its words; a text without words has none."""
    found = _WORD.findall(text)
    if not found:
        return np.empty(0, dtype=np.uint64)
    w = np.fromiter(map(_word_hashes.__getitem__, found), dtype=np.uint64, count=len(found))
    span = min(SHINGLE_WORDS, len(w))
    count = len(w) - span + 1
    h = w[:count].copy()
    for j in range(1, span):
        h *= _MIX
        h ^= w[j : j + count]
    h.sort()  # (sorting and masking: five times as quick as np.unique on these sizes)
    return h[np.r_[True, h[1:] != h[:-1]]]


def signature(hashes: Shingles) -> Signature:
    """The MinHash signature of a set of shingle hashes (all EMPTY for an empty set)."""
    out: Signature = signatures([hashes])[0]
    return out


def signatures(sets: Sequence[Shingles]) -> npt.NDArray[np.uint32]:
    """The signatures of many sets of shingle hashes, shape (len(sets), NUM_PERM): what
    `signature` gives for each, with a few NumPy operations per group of texts instead of
    per text. Each value is the least (a * x + b) mod 2**64 of the set, shifted right by 32
    (the shift after the least: it keeps the order)."""
    out = np.full((len(sets), NUM_PERM), EMPTY, dtype=np.uint32)
    sizes = np.array([len(h) for h in sets], dtype=np.int64)
    start = 0
    while start < len(sets):
        end, total = start + 1, int(sizes[start])
        while end < len(sets) and total + sizes[end] <= _GROUP:
            total += int(sizes[end])
            end += 1
        members = np.flatnonzero(sizes[start:end]) + start
        start = end
        if not len(members):
            continue
        values = np.concatenate([sets[int(i)] for i in members])
        offsets = np.concatenate([[0], np.cumsum(sizes[members])[:-1]])
        rows = max(1, _BLOCK // len(values))
        for first in range(0, NUM_PERM, rows):
            block = np.multiply.outer(_A[first : first + rows], values)
            block += _B[first : first + rows, None]
            least = np.minimum.reduceat(block, offsets, axis=1)
            least >>= np.uint64(32)
            out[members, first : first + rows] = least.T
    return out


def band_keys(signatures: npt.NDArray[np.uint32]) -> npt.NDArray[np.int64]:
    """For signatures of shape (n, NUM_PERM): (n, BANDS) keys, one per band, that differ
    between bands and are equal where two signatures agree on a whole band (as SQLite's
    signed 64-bit integers)."""
    keys = np.empty((len(signatures), BANDS), dtype=np.uint64)
    # A slice of signatures at a time: as 64-bit values, all 100,000 of an archive took
    # 96 MB more.
    for start in range(0, len(signatures), _KEY_ROWS):
        part = signatures[start : start + _KEY_ROWS]
        bands = part.reshape(len(part), BANDS, ROWS).astype(np.uint64)
        out = keys[start : start + _KEY_ROWS]
        out[:] = np.arange(1, BANDS + 1, dtype=np.uint64)
        for r in range(ROWS):
            out *= _MIX
            out ^= bands[:, :, r]
            out ^= out >> np.uint64(29)
    return keys.view(np.int64)


def estimate(a: Signature, b: Signature) -> float:
    """The estimated Jaccard similarity of two texts from their signatures."""
    if a[0] == EMPTY or b[0] == EMPTY:
        return 0.0
    return float(np.count_nonzero(a == b)) / NUM_PERM


def jaccard(a: Shingles, b: Shingles) -> float:
    """The exact Jaccard similarity of two sets of shingle hashes (sorted, distinct); 0 when
    either is empty (texts without words are versions of nothing)."""
    if not len(a) or not len(b):
        return 0.0
    common = len(np.intersect1d(a, b, assume_unique=True))
    return common / (len(a) + len(b) - common)


def similarity(a: Shingles, b: Shingles) -> float:
    """The similarity of two texts as versions, from their shingle sets: their Jaccard
    similarity, or the share of the shorter's shingles the longer holds when that is higher
    and the shorter is the longer with a passage added or dropped at one place (at most
    CONTAINED_SLACK of its shingles missing from the longer, and at least CONTAINED_RATIO of
    its length). 0 when either is empty."""
    if not len(a) or not len(b):
        return 0.0
    common = len(np.intersect1d(a, b, assume_unique=True))
    jac = common / (len(a) + len(b) - common)
    low, high = min(len(a), len(b)), max(len(a), len(b))
    if low - common <= CONTAINED_SLACK and low >= CONTAINED_RATIO * high:
        return max(jac, common / low)
    return jac


def to_blob(sig: Signature) -> bytes:
    return sig.astype("<u4").tobytes()


def from_blob(blob: bytes) -> Signature:
    return np.frombuffer(blob, dtype="<u4").astype(np.uint32)
