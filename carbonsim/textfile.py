"""Reading the text files a user hands to carbonsim: one rule for encodings and for faults.

Every input file (scenario and catalogue TOML, baseline and regions CSV, tables read back) is
read through :func:`read_text`:

* UTF-8, with or without the byte-order mark Windows Notepad and Excel write, is accepted;
* text that is not UTF-8 but decodes as GBK/GB18030 (what Chinese Windows and WPS save by
  default) is refused with a message saying how to convert it;
* a missing path, a folder, or a file that cannot be read gives one line naming the path.

The error raised is the caller's :class:`~carbonsim.errors.CarbonsimError` subclass, so the
command line reports it with exit status 2.
"""

from __future__ import annotations

import codecs
import functools
import hashlib
import io
import os
import time
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

from carbonsim.errors import CarbonsimError

__all__ = ["by_content", "decode", "file_identity", "read_text", "text_stream"]

T = TypeVar("T")

_CONVERT = (
    "convert it to UTF-8, e.g. `iconv -f GBK -t UTF-8 {name} > utf8-{name}`, or in Notepad / "
    "VS Code / WPS: Save As with encoding UTF-8"
)


def decode(data: bytes, path, what: str = "file", error: type[CarbonsimError] = CarbonsimError):
    """*data* (the bytes of *path*) as text: UTF-8, a leading BOM dropped.

    Raises
    ------
    CarbonsimError
        (or *error*) The bytes are not UTF-8; the message says whether they look like GBK and
        how to convert them.
    """
    if data.startswith(codecs.BOM_UTF8):
        data = data[len(codecs.BOM_UTF8) :]
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        name = Path(path).name
        where = _line_of(data, exc.start)
        try:
            data.decode("gb18030")
        except UnicodeDecodeError:
            raise error(
                f"{path}: {what} is not UTF-8 text (undecodable byte 0x{data[exc.start]:02x} at "
                f"{where}); save it as UTF-8 text"
            ) from None
        raise error(
            f"{path}: {what} is encoded in GBK/GB18030, not UTF-8 (first non-UTF-8 byte at "
            f"{where}); carbonsim reads UTF-8 only: " + _CONVERT.format(name=name)
        ) from None


def _line_of(data: bytes, offset: int) -> str:
    line = data.count(b"\n", 0, offset) + 1
    return f"line {line}"


def read_text(path, what: str = "file", error: type[CarbonsimError] = CarbonsimError) -> str:
    """The text of *path* (see the module docstring); *what* names the file in messages.

    Raises
    ------
    CarbonsimError
        (or *error*) The path is missing, a folder, unreadable, or not UTF-8 text.
    """
    path = Path(path)
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise error(f"{path}: {what} not found; check the path") from None
    except IsADirectoryError:
        raise error(f"{path}: is a folder, expected a {what}; give the path of the file") from None
    except PermissionError:
        raise error(f"{path}: permission denied reading the {what}; check its mode") from None
    except OSError as exc:
        raise error(f"{path}: cannot read the {what} ({os.strerror(exc.errno or 0)})") from None
    return decode(data, path, what, error)


def text_stream(path, what: str = "file", error: type[CarbonsimError] = CarbonsimError):
    """:func:`read_text` as a file-like object (for :func:`pandas.read_csv`)."""
    return io.StringIO(read_text(path, what, error))


def by_content(load: Callable[[tuple[Path, ...]], T]) -> Callable[[tuple[Path, ...]], T]:
    """Memoise a loader of files by their paths and contents (SHA-256 of their bytes).

    An edited file is read again by the next call in the same process; unchanged files are
    not (nor hashed again while their size, inode and modification time stay, see
    :func:`file_identity`).  At most eight entries are kept (the oldest goes first).  Reading a
    file for its digest raises ``OSError`` as reading it would; the caller reports it.
    """
    cache: dict[tuple[tuple[str, str], ...], T] = {}

    @functools.wraps(load)
    def wrapper(files: tuple[Path, ...]) -> T:
        key = tuple(file_identity(f) for f in files)
        if key not in cache:
            if len(cache) >= _MAX_CACHED:
                cache.pop(next(iter(cache)))
            cache[key] = load(files)
        return cache[key]

    return wrapper


_MAX_CACHED = 8
#: (path, device, inode, size, mtime) -> (resolved path, SHA-256) of files not changed since
_DIGESTS: dict[tuple, tuple[str, str]] = {}
#: a file modified less than this long ago [ns] is hashed on every call: its modification time
#: may not yet tell two writes apart (timestamps are only as fine as the kernel's clock tick)
_SETTLED_NS = 2_000_000_000


def file_identity(path: Path) -> tuple[str, str]:
    """(resolved path, SHA-256 of the bytes) of *path*, hashed again only when its status changes.

    What the caches of files key on (:func:`by_content`, the history table's paths).  A single
    run reads its baseline and catalogue identities each call; hashing them was a quarter of a
    millisecond each.  Files modified within the last two seconds are always hashed
    (a "racy" timestamp cannot vouch for them).
    """
    st = os.stat(path)
    stamp = (os.path.abspath(path), st.st_dev, st.st_ino, st.st_size, st.st_mtime_ns)
    known = _DIGESTS.get(stamp)
    if known is not None:
        return known
    identity = (str(path.resolve()), hashlib.sha256(path.read_bytes()).hexdigest())
    if time.time_ns() - st.st_mtime_ns > _SETTLED_NS:
        if len(_DIGESTS) >= 256:
            _DIGESTS.clear()
        _DIGESTS[stamp] = identity
    return identity
