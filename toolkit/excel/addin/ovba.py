"""A VBA project (``xl/vbaProject.bin``) written from source text, following MS-OVBA.

The project carries source code only: ``_VBA_PROJECT`` has version 0xFFFF and every module stream
is its compressed source at offset 0 (no p-code), which tells Office to compile the source when it
loads the file (MS-OVBA 2.3.4.1 and 3.2.3). The ``dir`` stream, the ``PROJECT`` text stream and
``PROJECTwm`` follow MS-OVBA 2.3; the container is written by ``cfb.write_cfb``.
"""

from __future__ import annotations

import struct
import uuid
from dataclasses import dataclass

from .cfb import write_cfb

CODEPAGE = 1252
LCID = 0x0409

#: Type libraries every Excel project references; ``Office`` is what defines ``IRibbonControl``.
REFERENCES = (
    ("stdole", "*\\G{00020430-0000-0000-C000-000000000046}#2.0#0#C:\\Windows\\System32\\stdole2.tlb#OLE Automation"),
    ("Office", "*\\G{2DF8D04C-5BFA-101B-BDE5-00AA0044DE52}#2.0#0#C:\\Program Files\\Common Files\\Microsoft Shared"
               "\\OFFICE16\\MSO.DLL#Microsoft Office 16.0 Object Library"),
)


@dataclass(frozen=True)
class Module:
    """One VBA module: ``kind`` is "module" (standard), "class" or "document" (ThisWorkbook, a sheet)."""

    name: str
    source: str  # as stored in the module stream: starts with 'Attribute VB_Name = ...', CRLF line ends
    kind: str = "module"


# --- MS-OVBA 2.4.1 compression -------------------------------------------------------------------

def _copy_token_bits(position: int) -> int:
    """Bits of a CopyToken used for the offset at ``position`` in the decompressed chunk (2.4.1.3.19.1)."""
    bits = max((position - 1).bit_length(), 4)
    return bits


def _compress_chunk(chunk: bytes) -> bytes:
    out = bytearray()
    pos = 0
    n = len(chunk)
    heads: dict[bytes, list[int]] = {}
    while pos < n:
        flag_index = len(out)
        out.append(0)
        flags = 0
        for bit in range(8):
            if pos >= n:
                break
            bits = _copy_token_bits(pos) if pos > 0 else 4
            max_len = (0xFFFF >> bits) + 3
            max_off = 1 << bits
            best_len, best_off = 0, 0
            if pos > 0 and pos + 3 <= n:
                for tries, cand in enumerate(reversed(heads.get(chunk[pos : pos + 3], []))):
                    if tries >= 64:
                        break
                    off = pos - cand
                    if off > max_off:
                        break
                    length = 3
                    limit = min(max_len, n - pos)
                    while length < limit and chunk[cand + length] == chunk[pos + length]:
                        length += 1
                    if length > best_len:
                        best_len, best_off = length, off
                        if length == limit:
                            break
            step = best_len if best_len >= 3 else 1
            if best_len >= 3:
                flags |= 1 << bit
                token = ((best_off - 1) << (16 - bits)) | (best_len - 3)
                out += struct.pack("<H", token)
            else:
                out.append(chunk[pos])
            for p in range(pos, pos + step):
                if p + 3 <= n:
                    heads.setdefault(chunk[p : p + 3], []).append(p)
            pos += step
        out[flag_index] = flags
    return bytes(out)


def compress(data: bytes) -> bytes:
    """MS-OVBA RLE compression of ``data`` (a CompressedContainer)."""
    out = bytearray(b"\x01")
    for start in range(0, len(data), 4096):
        chunk = data[start : start + 4096]
        body = _compress_chunk(chunk)
        if len(body) + 2 > 4098 and len(chunk) == 4096:
            out += struct.pack("<H", 0x3000 | (4096 + 2 - 3)) + chunk  # raw chunk, flag bit clear
        else:
            out += struct.pack("<H", 0xB000 | (len(body) + 2 - 3)) + body
    return bytes(out)


# --- MS-OVBA 2.4.3 data encryption (PROJECT stream CMG, DPB, GC) --------------------------------

def encrypt(data: bytes, project_id: str, seed: int = 0x07) -> str:
    """Encrypt ``data`` as MS-OVBA 2.4.3.2 does for the PROJECT stream's protection fields; hex text."""
    version = 2
    proj_key = sum(project_id.encode("ascii")) & 0xFF
    out = bytearray([seed, seed ^ version, seed ^ proj_key])
    unencrypted1, encrypted1, encrypted2 = proj_key, seed ^ proj_key, seed ^ version

    def emit(byte: int) -> None:
        nonlocal unencrypted1, encrypted1, encrypted2
        enc = byte ^ ((encrypted2 + unencrypted1) & 0xFF)
        out.append(enc)
        encrypted2, encrypted1, unencrypted1 = encrypted1, enc, byte

    for _ in range((seed & 6) // 2):
        emit(0)
    for byte in struct.pack("<I", len(data)):
        emit(byte)
    for byte in data:
        emit(byte)
    return out.hex().upper()


def decrypt(text: str) -> tuple[int, bytes]:
    """Inverse of ``encrypt``: (project key, data). Used to check the algorithm on Excel-made files."""
    raw = bytes.fromhex(text)
    seed, version_enc, key_enc = raw[0], raw[1], raw[2]
    if seed ^ version_enc != 2:
        raise ValueError("not MS-OVBA encrypted data (version byte)")
    proj_key = seed ^ key_enc
    unencrypted1, encrypted1, encrypted2 = proj_key, key_enc, version_enc
    plain = bytearray()
    for enc in raw[3:]:
        byte = enc ^ ((encrypted2 + unencrypted1) & 0xFF)
        plain.append(byte)
        encrypted2, encrypted1, unencrypted1 = encrypted1, enc, byte
    ignored = (seed & 6) // 2
    length = struct.unpack("<I", bytes(plain[ignored : ignored + 4]))[0]
    return proj_key, bytes(plain[ignored + 4 : ignored + 4 + length])


# --- streams -------------------------------------------------------------------------------------

def _rec(rid: int, payload: bytes) -> bytes:
    return struct.pack("<HI", rid, len(payload)) + payload


def _mbcs(text: str) -> bytes:
    return text.encode("cp1252")


def _utf16(text: str) -> bytes:
    return text.encode("utf-16-le")


def dir_stream(project_name: str, modules: list[Module]) -> bytes:
    """The decompressed ``dir`` stream (MS-OVBA 2.3.4.2)."""
    d = bytearray()
    d += _rec(0x0001, struct.pack("<I", 1))  # SYSKIND: 32-bit Windows (Office reads it on every platform)
    d += _rec(0x0002, struct.pack("<I", LCID))
    d += _rec(0x0014, struct.pack("<I", LCID))
    d += _rec(0x0003, struct.pack("<H", CODEPAGE))
    d += _rec(0x0004, _mbcs(project_name))
    d += _rec(0x0005, b"") + _rec(0x0040, b"")  # doc string
    d += _rec(0x0006, b"") + _rec(0x003D, b"")  # help file
    d += _rec(0x0007, struct.pack("<I", 0))
    d += _rec(0x0008, struct.pack("<I", 0))
    d += struct.pack("<HIIH", 0x0009, 4, 1, 0)  # PROJECTVERSION: Reserved=4, then major, minor
    d += _rec(0x000C, b"") + _rec(0x003C, b"")  # constants
    for name, libid in REFERENCES:
        d += _rec(0x0016, _mbcs(name)) + _rec(0x003E, _utf16(name))
        lib = _mbcs(libid)
        registered = struct.pack("<I", len(lib)) + lib + struct.pack("<IH", 0, 0)
        d += _rec(0x000D, registered)
    d += _rec(0x000F, struct.pack("<H", len(modules)))
    d += _rec(0x0013, struct.pack("<H", 0xFFFF))
    for m in modules:
        d += _rec(0x0019, _mbcs(m.name)) + _rec(0x0047, _utf16(m.name))
        d += _rec(0x001A, _mbcs(m.name)) + _rec(0x0032, _utf16(m.name))
        d += _rec(0x001C, b"") + _rec(0x0048, b"")
        d += _rec(0x0031, struct.pack("<I", 0))  # source at offset 0: no p-code
        d += _rec(0x001E, struct.pack("<I", 0))
        d += _rec(0x002C, struct.pack("<H", 0xFFFF))
        d += _rec(0x0021 if m.kind == "module" else 0x0022, b"")
        d += _rec(0x002B, b"")
    d += _rec(0x0010, b"")
    return bytes(d)


_UNPROTECTED = struct.pack("<I", 0)  # ProjectProtectionState: nothing locked
_NO_PASSWORD = b"\x00"  # ProjectPassword: none
_VISIBLE = b"\xff"  # ProjectVisibilityState: the project is visible in the VBE


def project_stream(project_name: str, project_id: str, modules: list[Module]) -> bytes:
    """The ``PROJECT`` text stream (MS-OVBA 2.3.1): modules, name, unprotected and visible."""
    lines = [f'ID="{project_id}"']
    for m in modules:
        if m.kind == "document":
            lines.append(f"Document={m.name}/&H00000000")
        elif m.kind == "class":
            lines.append(f"Class={m.name}")
        else:
            lines.append(f"Module={m.name}")
    lines += [
        f'Name="{project_name}"',
        'HelpContextID="0"',
        'VersionCompatible32="393222000"',
        f'CMG="{encrypt(_UNPROTECTED, project_id)}"',
        f'DPB="{encrypt(_NO_PASSWORD, project_id)}"',
        f'GC="{encrypt(_VISIBLE, project_id)}"',
        "",
        "[Host Extender Info]",
        "&H00000001={3832D640-CF90-11CF-8E43-00A0C911005A};VBE;&H00000000",
        "",
        "[Workspace]",
    ]
    lines += [f"{m.name}=0, 0, 0, 0, C" for m in modules]
    return ("\r\n".join(lines) + "\r\n").encode("cp1252")


def projectwm_stream(modules: list[Module]) -> bytes:
    """``PROJECTwm``: each module name in MBCS and UTF-16 (MS-OVBA 2.3.3)."""
    out = bytearray()
    for m in modules:
        out += _mbcs(m.name) + b"\0" + _utf16(m.name) + b"\0\0"
    return bytes(out + b"\0\0")


def vba_project(project_name: str, modules: list[Module], project_id: str | None = None) -> bytes:
    """The bytes of ``vbaProject.bin`` holding ``modules`` as source only (Office compiles on load).

    ``project_id`` defaults to a GUID derived from the project name, so builds are reproducible.
    """
    names = [m.name for m in modules]
    if len(set(n.upper() for n in names)) != len(names):
        raise ValueError("duplicate VBA module names")
    pid = project_id or "{" + str(uuid.uuid5(uuid.NAMESPACE_URL, f"vba:{project_name}")).upper() + "}"
    vba: dict[str, bytes | dict] = {
        "_VBA_PROJECT": struct.pack("<HHBH", 0x61CC, 0xFFFF, 0x00, 0x0000),
        "dir": compress(dir_stream(project_name, modules)),
    }
    for m in modules:
        vba[m.name] = compress(m.source.encode("cp1252"))
    return write_cfb({
        "VBA": vba,
        "PROJECT": project_stream(project_name, pid, modules),
        "PROJECTwm": projectwm_stream(modules),
    })
