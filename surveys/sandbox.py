"""The spreadsheet reader (python-calamine) in a child process of its own,
under a memory limit (RLIMIT_AS) and a time limit, so that a workbook
that makes it allocate without bound or abort ends that process, not
the web worker, the Celery worker or the command: the import fails with
"文件无法读取…" and nothing is written.

The child (`sheet_child.py`) loads the workbook while the parent checks
the file (`core.uploads.check_sheet_extent`), then streams the rows in
chunks that the validation takes one by one, so the parent never holds
the whole sheet and the child converts while the parent validates.
Messages are `marshal` frames: plain values only, and nothing in them is
run (unlike pickle).
"""

import contextlib
import fcntl
import importlib.util
import logging
import marshal
import os
import select
import struct
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from django.conf import settings
from django.utils.translation import gettext as _

from core.errors import ApplicationError

logger = logging.getLogger(__name__)

CHILD = Path(__file__).with_name("sheet_child.py")
# One frame carries at most CHUNK_ROWS rows; a sheet is bounded by the upload limits well below this.
MAX_FRAME = 1024 * 1024 * 1024


class SurveyFileError(ApplicationError):
    """The file as a whole cannot be imported; nothing was written."""


def memory_limit() -> int:
    # A 100,000-row survey needs about 400 MB of address space in the reader;
    # 300,000 rows (the cap) about three times that.
    return getattr(settings, "SURVEY_READER_MEMORY_MB", 2048) * 1024 * 1024


def time_limit() -> int:
    # Seconds the reader may take in all (a 100,000-row sheet takes two).
    return getattr(settings, "SURVEY_READER_SECONDS", 300)


def child_command(path: str, *, head: int) -> list[str]:
    spec = importlib.util.find_spec("python_calamine")
    site = str(Path(spec.origin).parent.parent) if spec is not None and spec.origin else ""
    return [
        sys.executable, "-I", "-X", "utf8", str(CHILD), path, str(head), str(memory_limit()), str(time_limit()), site,
    ]  # fmt: skip


def unreadable(detail: str) -> str:
    return _("文件无法读取：%(detail)s。请用 Excel 或 WPS 打开后另存为 .xlsx 再上传；未写入任何数据。") % {
        "detail": detail
    }


class SheetReader:
    """One workbook read in a child process: `next_sheet()` offers each
    sheet's first rows, `rows()` streams the rest of the sheet last offered.
    Always `close()` (or read the rows to the end)."""

    def __init__(self, path: str, *, head: int) -> None:
        self._stderr = tempfile.TemporaryFile()
        self._waited = 0.0
        self._limit = time_limit()
        self._offered = False
        self._process = subprocess.Popen(
            child_command(path, head=head),
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=self._stderr,
            env={},  # the reader needs no settings and gets no secrets
            cwd=tempfile.gettempdir(),
            bufsize=0,
        )
        with contextlib.suppress(OSError, AttributeError):  # bigger pipe, fewer wake-ups (Linux)
            fcntl.fcntl(self._out.fileno(), fcntl.F_SETPIPE_SZ, 1024 * 1024)

    @property
    def _out(self) -> Any:
        return self._process.stdout

    def next_sheet(self) -> tuple[str, list[list[Any]]] | None:
        """The next readable sheet's name and first rows, or None when there is none."""
        if self._offered:
            self._answer(b"next")
        message = self._receive()
        if message[0] == "sheet":
            self._offered = True
            return message[1], message[2]
        if message[0] == "error":
            self.close()
            raise SurveyFileError(_("无法读取Excel文件：%(e)s") % {"e": message[1]})
        self.close()
        return None

    def rows(self) -> Iterator[list[list[Any]]]:
        """The rest of the sheet last offered, in chunks of rows."""
        try:
            self._answer(b"take")
            self._offered = False
            while (message := self._receive())[0] == "rows":
                yield message[1]
            if message[0] != "end":
                raise self._failed(_("读取程序返回了意外的数据"))
            with contextlib.suppress(subprocess.TimeoutExpired):  # done; `close` ends it otherwise
                self._process.wait(timeout=10)
        finally:
            self.close()

    def close(self) -> None:
        if self._process.poll() is None:
            self._process.kill()
            self._process.wait()
        for stream in (self._process.stdin, self._process.stdout):
            if stream is not None:
                stream.close()
        self._stderr.close()

    def __del__(self) -> None:
        # A table opened and dropped unread (the upload's first look) ends its reader.
        with contextlib.suppress(Exception):
            self.close()

    # --- the pipe -----------------------------------------------------------------

    def _answer(self, word: bytes) -> None:
        try:
            stdin = self._process.stdin
            assert stdin is not None
            stdin.write(word + b"\n")
            stdin.flush()
        except (BrokenPipeError, OSError):
            raise self._failed(_("读取程序意外退出"))

    def _receive(self) -> tuple:
        (size,) = struct.unpack(">Q", self._read(8))
        if size > MAX_FRAME:
            raise self._failed(_("读取程序返回了意外的数据"))
        try:
            message = marshal.loads(self._read(size))
        except (EOFError, ValueError, TypeError):
            raise self._failed(_("读取程序返回了意外的数据"))
        if not isinstance(message, tuple) or not message:
            raise self._failed(_("读取程序返回了意外的数据"))
        return message

    def _read(self, size: int) -> bytearray:
        buffer = bytearray(size)
        view = memoryview(buffer)
        got = 0
        while got < size:
            self._wait_readable()
            count = self._out.readinto(view[got:])
            if not count:
                raise self._failed(None)
            got += count
        return buffer

    def _wait_readable(self) -> None:
        started = time.monotonic()
        ready, _w, _x = select.select([self._out], [], [], max(0.0, self._limit - self._waited))
        self._waited += time.monotonic() - started
        if not ready:
            self.close()
            raise SurveyFileError(unreadable(_("读取超过 %(n)d 秒仍未完成，已中止") % {"n": self._limit}))

    def _failed(self, detail: str | None) -> SurveyFileError:
        """The child stopped or spoke nonsense: end it, log why, and say so."""
        if self._process.poll() is None:
            with contextlib.suppress(subprocess.TimeoutExpired):
                self._process.wait(timeout=2)
        code = self._process.poll()
        self._stderr.seek(0, os.SEEK_END)
        self._stderr.seek(max(0, self._stderr.tell() - 2000))
        logger.warning("spreadsheet reader failed (exit %s): %s", code, self._stderr.read().decode("utf-8", "replace"))
        self.close()
        if detail is None:
            memory = memory_limit() // (1024 * 1024)
            detail = _("表格结构异常，读取程序异常退出（内存上限 %(mb)d MB）") % {"mb": memory}
        return SurveyFileError(unreadable(detail))
