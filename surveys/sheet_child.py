"""The spreadsheet reader's own process: python-calamine, under a memory
and a CPU-time limit, sending the rows to `surveys.sandbox` on stdout.

A hostile workbook can make python-calamine allocate without bound or
abort (a cell at XFD1048576 asks for 512 GB, and a failed allocation in
Rust aborts the process): here that ends this process only, and the
import says the file cannot be read. Run as a script with the standard
library and python-calamine only (no Django, no settings, no secrets):

    python -I -X utf8 sheet_child.py PATH HEAD_ROWS MEMORY_BYTES CPU_SECONDS [SITE_DIR]

Messages out are frames: eight bytes of length, then a `marshal`-ed tuple:
("sheet", name, first HEAD_ROWS rows) for each readable sheet, after which
the parent answers "take" or "next" on stdin; after "take", ("rows", up to
CHUNK_ROWS rows) until ("end",). ("none",) when no sheet was taken;
("error", text) when python-calamine cannot open the workbook.
"""

import itertools
import marshal
import resource
import struct
import sys
from datetime import date, datetime, time, timedelta
from typing import IO, Any

CHUNK_ROWS = 5000
PLAIN = (str, float, int, bool, type(None))


def limit(memory: int, cpu_seconds: int) -> None:
    """Address space, CPU time (SIGXCPU, then SIGKILL seconds later), no core file."""
    for kind, soft, hard in (
        (resource.RLIMIT_AS, memory, memory),
        (resource.RLIMIT_CPU, cpu_seconds, cpu_seconds + 5),
        (resource.RLIMIT_CORE, 0, 0),
    ):
        ceiling = resource.getrlimit(kind)[1]
        if ceiling != resource.RLIM_INFINITY:
            soft, hard = min(soft, ceiling), min(hard, ceiling)
        try:
            resource.setrlimit(kind, (soft, hard))
        except (ValueError, OSError):
            pass  # a system that refuses this limit (macOS, RLIMIT_AS): the parent's time limit still holds


def send(out: IO[bytes], message: tuple) -> None:
    try:
        payload = marshal.dumps(message)
    except ValueError:  # a date or time cell: marshal takes plain values only
        payload = marshal.dumps(tuple(_plain(part) for part in message))
    out.write(struct.pack(">Q", len(payload)))
    out.write(payload)
    out.flush()


def _plain(part: Any) -> Any:
    """Rows with their date and time cells as text (the survey reads those as text anyway)."""
    if not isinstance(part, list):
        return part
    return [[c if c.__class__ in PLAIN else _text(c) for c in row] for row in part]


def _text(value: Any) -> str:
    if isinstance(value, date | datetime | time | timedelta):
        return str(value)
    return repr(value)


def main(argv: list[str]) -> int:
    path, head, memory, cpu_seconds = argv[1], int(argv[2]), int(argv[3]), int(argv[4])
    if len(argv) > 5:
        sys.path.insert(0, argv[5])
    limit(memory, cpu_seconds)
    out, answers = sys.stdout.buffer, sys.stdin.buffer
    from python_calamine import CalamineError, CalamineWorkbook

    try:
        # By content, as the upload was sniffed, not by the name the user gave the file.
        source = open(path, "rb")  # noqa: SIM115 (read until the process ends)
        workbook = CalamineWorkbook.from_filelike(source)
    except (CalamineError, OSError, ValueError) as exc:
        send(out, ("error", str(exc)[:200]))
        return 0
    for name in workbook.sheet_names:
        try:
            sheet = workbook.get_sheet_by_name(name)
        except MemoryError:
            raise
        except Exception:  # noqa: BLE001 — a chart sheet or a broken sheet is just skipped
            continue
        rows = sheet.iter_rows()
        send(out, ("sheet", name, list(itertools.islice(rows, head))))
        if answers.readline().strip() != b"take":
            continue
        while chunk := list(itertools.islice(rows, CHUNK_ROWS)):
            send(out, ("rows", chunk))
        send(out, ("end",))
        return 0
    send(out, ("none",))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
