"""Files as people and other programs meet them: written whole or not at all, and named
in readable text even when the name's bytes are not UTF-8."""

from __future__ import annotations

import errno
import os
import re
import stat
from pathlib import Path
from typing import BinaryIO

# Bytes of a file name that are not UTF-8 reach Python as lone surrogates (PEP 383), and
# a few of them may have been taken for UTF-8 on the way (GBK's EA B1 A8 is 걨): each
# word holding one — a path's component, a word of a message — is taken back to its bytes whole.
_ESCAPED = re.compile("[\udc80-\udcff]")
_WORD = re.compile('[^\\s"/\\\\：:]*[\udc80-\udcff][^\\s"/\\\\：:]*')


def shown_name(text: str) -> str:
    """`text` with each word whose bytes were not UTF-8 decoded as GB18030 (a Chinese
    Windows name copied as is), else with those bytes shown as �: text any writer can encode."""
    if not _ESCAPED.search(text):
        return text

    def decode(m: re.Match[str]) -> str:
        raw = m.group().encode("utf-8", "surrogateescape")
        try:
            return raw.decode("gb18030")
        except UnicodeDecodeError:
            return raw.decode("utf-8", "replace")

    return _WORD.sub(decode, text)


def write_atomically(path: Path, data: bytes) -> None:
    """The file replaced whole or not at all: written beside it under a temporary name and
    renamed, so a full disk or an interrupt leaves the old file (or none), never a part.
    A FIFO or a character device (/dev/stdout) is written to as it is; so is a file in a
    folder one may not write in (nothing can be put beside it). A link is followed: the
    file it names is replaced, the link kept."""
    path = path.resolve() if path.is_symlink() else path
    try:
        mode = path.stat().st_mode
    except OSError:
        mode = 0
    if stat.S_ISFIFO(mode) or stat.S_ISCHR(mode) or (stat.S_ISREG(mode) and not os.access(path.parent, os.W_OK)):
        with path.open("wb") as f:
            f.write(data)
        return
    import tempfile

    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name[:60]}.", suffix=".tmp")
    try:
        # The mode a file written in place would have (mkstemp's is 0600): the old file's,
        # else the one the umask gives.
        if stat.S_ISREG(mode):
            os.fchmod(fd, stat.S_IMODE(mode))
        else:
            umask = os.umask(0)
            os.umask(umask)
            os.fchmod(fd, 0o666 & ~umask)
        with os.fdopen(fd, "wb") as f:
            f.write(data)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


class Unreadable(OSError):
    """A file an input cannot be: not a regular file, or larger than it may be. `str()`
    is the Chinese reason."""

    def __init__(self, message_zh: str, message_en: str) -> None:
        super().__init__(message_zh)
        self.message_zh, self.message_en = message_zh, message_en


_REASONS_ZH = {
    errno.ENOENT: "文件或目录不存在", errno.EACCES: "没有权限", errno.EPERM: "没有权限", errno.ENOSPC: "磁盘空间不足",
    errno.EDQUOT: "超出磁盘配额", errno.EISDIR: "这是一个目录", errno.ENOTDIR: "路径中有一项不是目录",
    errno.EROFS: "文件系统只读", errno.ENAMETOOLONG: "文件名过长", errno.EEXIST: "已存在", errno.EBUSY: "设备或资源忙",
    errno.EIO: "读写出错（输入输出错误）", errno.EMFILE: "打开的文件过多", errno.ECONNREFUSED: "连接被拒绝",
    errno.ETIMEDOUT: "连接超时", errno.EHOSTUNREACH: "无法连接主机", errno.ENETUNREACH: "网络不可达",
}


def os_reason(e: OSError) -> str:
    """Why an operation on a file (or a connection) failed, in Chinese where the cause is a
    common one; the system's words otherwise."""
    if isinstance(e, Unreadable):
        return e.message_zh
    return _REASONS_ZH.get(e.errno or 0) or e.strerror or type(e).__name__


def read_at_most(f: BinaryIO, size: int, limit: int) -> bytes:
    """A file's bytes, `size` as its stat gave, and at most `limit` + 1 (one more says it is
    over). read(n) sets aside n bytes at once: the size first, then, only if the file grew
    while it was read, up to the limit."""
    data = f.read(size + 1)
    if len(data) > size:
        data += f.read(limit + 1 - len(data))
    return data


def read_input(path: Path, limit: int) -> bytes:
    """The bytes of a small input file (a calendar, a seed list, a list of agencies, a
    rubric), refused before reading when it is a pipe, a device or a folder (reading one
    blocks or never ends) or larger than `limit`. OSError for the rest, Unreadable here."""
    st = path.stat()
    if stat.S_ISDIR(st.st_mode):
        raise Unreadable("是目录，不是文件", "is a directory")
    if not stat.S_ISREG(st.st_mode):
        raise Unreadable("不是普通文件（可能是管道或设备）", "not a regular file (a pipe or a device)")
    if st.st_size > limit:
        raise Unreadable(f"文件过大（{st.st_size / 1024**2:.1f} MB，上限 {limit / 1024**2:.1f} MB）",
                         f"too large ({st.st_size} bytes, at most {limit})")
    with path.open("rb") as f:
        data = read_at_most(f, st.st_size, limit)
    if len(data) > limit:
        raise Unreadable(f"文件过大（上限 {limit / 1024**2:.1f} MB）", f"too large (at most {limit} bytes)")
    return data
