"""A minimal writer of Compound File Binary files (MS-CFB version 3), enough for a VBA project.

Python has well-kept CFB *readers* (olefile, compoundfiles) but no maintained writer, and a VBA
project needs only the simple case: a fixed tree of storages and streams written once. So this
module writes one whole file: 512-byte sectors, a mini stream for streams under 4096 bytes, one
FAT (no DIFAT, so at most 109 FAT sectors, about 7 MB) and a balanced red-black directory tree.
Readers used in tests to check the result: olefile, oletools and LibreOffice.
"""

from __future__ import annotations

import struct
from dataclasses import dataclass, field

SECTOR = 512
MINI_SECTOR = 64
MINI_CUTOFF = 4096
FREESECT, ENDOFCHAIN, FATSECT, NOSTREAM = 0xFFFFFFFF, 0xFFFFFFFE, 0xFFFFFFFD, 0xFFFFFFFF
SIGNATURE = bytes.fromhex("D0CF11E0A1B11AE1")
_STORAGE, _STREAM, _ROOT = 1, 2, 5
_RED, _BLACK = 0, 1


@dataclass
class _Entry:
    name: str
    kind: int
    data: bytes = b""
    children: list[_Entry] = field(default_factory=list)
    sid: int = 0
    left: int = NOSTREAM
    right: int = NOSTREAM
    child: int = NOSTREAM
    color: int = _BLACK
    start: int = ENDOFCHAIN


def _sort_key(name: str) -> tuple[int, str]:
    """MS-CFB 2.6.4: siblings compare by UTF-16 length first, then by upper-cased name."""
    return (len(name.encode("utf-16-le")), name.upper())


def _tree(entries: list[_Entry], depth: int, deepest: int) -> int:
    """Link sorted ``entries`` as a balanced binary tree; nodes on the deepest level are red."""
    if not entries:
        return NOSTREAM
    mid = len(entries) // 2
    node = entries[mid]
    node.color = _RED if depth == deepest and depth > 0 else _BLACK
    node.left = _tree(entries[:mid], depth + 1, deepest)
    node.right = _tree(entries[mid + 1 :], depth + 1, deepest)
    return node.sid


def _height(n: int) -> int:
    """Depth index of the deepest level of a middle-split tree of ``n`` nodes."""
    h = -1
    while n > 0:
        h += 1
        n //= 2
    return h


def _chain(fat: list[int], first: int, count: int) -> None:
    for i in range(count):
        fat[first + i] = first + i + 1 if i < count - 1 else ENDOFCHAIN


def write_cfb(tree: dict[str, bytes | dict]) -> bytes:
    """The bytes of a compound file holding ``tree``: name -> bytes (a stream) or dict (a storage)."""
    root = _Entry("Root Entry", _ROOT)
    order: list[_Entry] = [root]

    def add(parent: _Entry, items: dict[str, bytes | dict]) -> None:
        for name, value in items.items():
            if len(name) > 31 or any(c in name for c in "/\\:!"):
                raise ValueError(f"invalid compound-file entry name {name!r}")
            entry = _Entry(name, _STORAGE if isinstance(value, dict) else _STREAM,
                           b"" if isinstance(value, dict) else bytes(value))
            entry.sid = len(order)
            order.append(entry)
            parent.children.append(entry)
            if isinstance(value, dict):
                add(entry, value)

    add(root, tree)
    for entry in order:
        kids = sorted(entry.children, key=lambda e: _sort_key(e.name))
        entry.child = _tree(kids, 0, _height(len(kids)))

    # Mini stream: small streams, each padded to 64-byte mini sectors.
    minifat: list[int] = []
    mini = bytearray()
    big: list[_Entry] = []
    for entry in order[1:]:
        if entry.kind != _STREAM:
            continue
        if len(entry.data) >= MINI_CUTOFF:
            big.append(entry)
            continue
        if not entry.data:
            entry.start = ENDOFCHAIN
            continue
        n = -(-len(entry.data) // MINI_SECTOR)
        entry.start = len(minifat)
        minifat.extend([0] * n)
        _chain(minifat, entry.start, n)
        mini += entry.data + b"\0" * (n * MINI_SECTOR - len(entry.data))

    def sectors(size: int) -> int:
        return -(-size // SECTOR)

    # Regular sectors in order: big streams, mini stream, mini FAT, directory, FAT.
    layout: list[tuple[str, object, int]] = [("stream", e, sectors(len(e.data))) for e in big]
    layout.append(("mini", None, sectors(len(mini))))
    layout.append(("minifat", None, sectors(len(minifat) * 4)))
    layout.append(("dir", None, sectors(len(order) * 128)))
    used = sum(n for _, _, n in layout)
    nfat = 1
    while nfat * (SECTOR // 4) < used + nfat:
        nfat += 1
    if nfat > 109:
        raise ValueError("compound file too large for this writer (no DIFAT)")
    fat = [FREESECT] * (nfat * (SECTOR // 4))
    body = bytearray()
    pos = 0
    first = {"mini": ENDOFCHAIN, "minifat": ENDOFCHAIN, "dir": ENDOFCHAIN}
    for kind, entry, n in layout:
        if n == 0:
            continue
        _chain(fat, pos, n)
        if kind == "stream":
            assert isinstance(entry, _Entry)
            entry.start = pos
            chunk = entry.data
        elif kind == "mini":
            first["mini"] = pos
            chunk = bytes(mini)
        elif kind == "minifat":
            first["minifat"] = pos
            chunk = b"".join(struct.pack("<I", v) for v in minifat)
            chunk += struct.pack("<I", FREESECT) * ((n * SECTOR - len(chunk)) // 4)
        else:
            first["dir"] = pos
            chunk = b""  # filled below, once every start sector is known
        body += chunk + b"\0" * (n * SECTOR - len(chunk))
        pos += n
    for i in range(nfat):
        fat[pos + i] = FATSECT
    root.start = first["mini"] if mini else ENDOFCHAIN
    root.data = bytes(mini)

    directory = bytearray()
    for entry in order:
        directory += _dir_entry(entry)
    # unused directory slots in the last sector are empty entries
    while len(directory) % SECTOR:
        directory += _empty_entry()
    dir_offset = sum(n for kind, _, n in layout if kind != "dir") * SECTOR
    body[dir_offset : dir_offset + len(directory)] = directory
    body += b"".join(struct.pack("<I", v) for v in fat)

    header = bytearray(SIGNATURE)
    header += b"\0" * 16
    header += struct.pack("<HHHHH", 0x003E, 0x0003, 0xFFFE, 9, 6)
    header += b"\0" * 6
    header += struct.pack("<IIIIIIIII", 0, nfat, first["dir"], 0, MINI_CUTOFF,
                          first["minifat"], sectors(len(minifat) * 4) if minifat else 0, ENDOFCHAIN, 0)
    difat = [pos + i for i in range(nfat)] + [FREESECT] * (109 - nfat)
    header += b"".join(struct.pack("<I", v) for v in difat)
    assert len(header) == SECTOR
    return bytes(header + body)


def _dir_entry(e: _Entry) -> bytes:
    name = e.name.encode("utf-16-le") + b"\0\0"
    out = name + b"\0" * (64 - len(name))
    out += struct.pack("<HBBIII", len(name), e.kind, e.color, e.left, e.right, e.child)
    out += b"\0" * 16  # CLSID
    out += struct.pack("<I", 0)  # state bits
    out += b"\0" * 16  # creation and modification times (left zero, as Office does for streams)
    size = len(e.data) if e.kind in (_STREAM, _ROOT) else 0
    start = e.start if e.kind in (_STREAM, _ROOT) and size else (ENDOFCHAIN if e.kind == _ROOT else 0)
    out += struct.pack("<IQ", start, size)
    assert len(out) == 128
    return out


def _empty_entry() -> bytes:
    return b"\0" * 64 + struct.pack("<HBBIII", 0, 0, 0, NOSTREAM, NOSTREAM, NOSTREAM) + b"\0" * 36 + struct.pack("<IQ", 0, 0)
