"""A corpus of hostile and broken article files, generated on demand (no binaries in git).

Each Case says what a scraper might leave on disk and what cloudclaims must do with it: extract the
claims of BODY (the text is fine, only its wrapping is odd) or report an error whose reason contains
`error`. Used by tests/test_hostile_input.py and bench/stress.py.
"""
from __future__ import annotations

import ctypes
import datetime as dt
import functools
import os
import random
import struct
import subprocess
import sys
import zlib
from dataclasses import dataclass
from pathlib import Path

BODY = "阿里雲2023財年第四季度(自然年2023年第一季度)收入185.82億元,同比下滑2%。\n"
SIMPLIFIED = BODY.replace("雲", "云").replace("財", "财").replace("億", "亿")  # what GB18030 can carry
# What every readable case yields: (metric, value, period).
CLAIMS = [("revenue", 18582000000.0, "2023Q1"), ("revenue_growth", -2.0, "2023Q1")]
FILLER = "行业观察指出，云计算市场竞争加剧，价格战此起彼伏，厂商纷纷调整策略。"
BIG_MB = 50
DEEP = 990  # folders nested this deep (a recursive walk hit Python's recursion limit)


@dataclass(frozen=True)
class Case:
    kind: str  # what is hostile about it (the test id)
    name: str  # file name inside the corpus folder
    data: bytes | None = None  # None: made by `special` (symlinks, pipes, locked files)
    error: str | None = None  # None: the claims of BODY are extracted; otherwise a fragment of the reason
    warning: str | None = None  # extracted, and this fragment shows in the document's warnings
    special: str | None = None  # how to make what bytes cannot say: see write_corpus
    upload_error: str | None = None  # where the dashboard's upload refuses it although the extractor reads it
    uploadable: bool = True  # False: nothing a browser could send (links, pipes, unreadable, non-UTF-8 names)


def png() -> bytes:
    """A real 1x1 PNG (signature, IHDR, IDAT, IEND)."""
    def chunk(kind: bytes, body: bytes) -> bytes:
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))

    ihdr = struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", zlib.compress(b"\x00\xff\x00\x00")) + chunk(b"IEND", b"")


def _front(fields: str, body: str = BODY) -> bytes:
    return f"---\n{fields}---\n{body}".encode()


def _random_bytes(n: int, seed: int, allow_nul: bool) -> bytes:
    rng = random.Random(seed)
    return bytes(rng.randrange(0 if allow_nul else 1, 256) for _ in range(n))


FUTURE = (dt.date.today() + dt.timedelta(days=400)).isoformat()

CASES = [
    Case("empty", "empty.txt", b"", error="empty"),
    Case("whitespace only", "blank.md", b" \n\t\n", error="empty"),
    Case("png saved as .txt", "scraped-image.txt", png(), error="binary"),
    Case("png by its own name", "photo.png", png(), error="not an article file", upload_error="only .txt and .md"),
    Case("random bytes", "random.md", _random_bytes(4096, 1, True), error="binary"),
    Case("random bytes without NUL", "noise.txt", _random_bytes(4096, 2, False), error="not"),
    Case("gb18030", "gb18030.txt", SIMPLIFIED.encode("gb18030")),
    Case("big5", "big5.txt", BODY.encode("big5")),
    Case("utf-16 le with bom", "utf16le.txt", b"\xff\xfe" + BODY.encode("utf-16-le")),
    Case("utf-16 be with bom", "utf16be.txt", b"\xfe\xff" + BODY.encode("utf-16-be")),
    Case("utf-8 with bom", "utf8bom.md", b"\xef\xbb\xbf" + BODY.encode("utf-8")),
    Case("utf-8 cut mid-character", "truncated.txt", (BODY + "阿里").encode()[:-2], warning="incomplete UTF-8"),
    Case("utf-16 cut to an odd length", "truncated16.txt", b"\xff\xfe" + (BODY + "阿").encode("utf-16-le")[:-1],
         warning="incomplete UTF-16"),
    Case("utf-8 bom then invalid bytes", "badbom.txt", b"\xef\xbb\xbf" + BODY.encode() + b"\xff\xfe\xfd" + FILLER.encode(),
         warning="3 bytes are not valid UTF-8"),
    Case("one stray invalid byte", "stray.txt", BODY.encode() + FILLER.encode()[:9] + b"\x80" + FILLER.encode(),
         warning="1 byte is not valid UTF-8"),
    Case("utf-16 le without bom", "utf16le-nobom.txt", BODY.encode("utf-16-le")),
    Case("utf-16 be without bom", "utf16be-nobom.txt", BODY.encode("utf-16-be")),
    Case("utf-32 le with bom", "utf32le.txt", b"\xff\xfe\x00\x00" + BODY.encode("utf-32-le")),
    Case("utf-32 be with bom", "utf32be.txt", b"\x00\x00\xfe\xff" + BODY.encode("utf-32-be")),
    Case("gb18030 with a stray byte", "gb-stray.txt", SIMPLIFIED.encode("gb18030") + b"\xff" + FILLER.encode("gb18030"),
         warning="not valid GB18030"),
    Case("lossy re-encoding", "lossy.txt", (BODY + "阿里云??????的????????平台?????" + FILLER).encode(),
         warning="lossy re-encoding"),
    Case("crlf line ends", "crlf.txt", _front("title: 标题\r\n").replace(b"\n", b"\r\n")),
    Case("front matter never closed", "unclosed.md", b"---\ntitle: x\ndate: 2023-08-03\n" + BODY.encode(),
         error="never closed"),
    Case("front matter not yaml", "badyaml.md", _front("title: [unclosed\n"), error="not valid YAML"),
    Case("front matter wrong types", "wrongtypes.md", _front('date: "next tuesday"\ntitle: [a, b]\nsource: {x: 1}\n'),
         warning="not a date"),
    Case("date in the future", "future.md", _front(f"date: {FUTURE}\n"), warning="in the future"),
    Case("name with spaces", "阿里云 财报 2023 Q1.txt", BODY.encode() + b"\n"),
    Case("name with emoji", "云📈🚀.md", BODY.encode() + b"\n\n"),
    Case("name with dots", "..report..2023..txt", BODY.encode() + b"\n\n\n"),
    Case("name that is a formula", "=1+1.txt", BODY.encode() + b"\n \n"),
    Case("name with a newline", "forged\n  other.txt: ok.txt", b"", error="empty"),
    Case("folders 990 deep", "deep", BODY.encode() + b"\t\n", special="deep", uploadable=False),
    Case("name in gbk bytes", "gbk-name", BODY.encode() + b" \n", error="file name is not UTF-8", special="gbk_name",
         uploadable=False),
    Case("symlink loop", "loop-a.txt", error="link", special="symlink_loop", uploadable=False),
    Case("symlink to itself", "self.txt", error="link", special="self_link", uploadable=False),
    Case("symlink to a device", "zero.txt", error="not a regular file", special="dev_zero", uploadable=False),
    Case("symlink to a file outside the folder", "outside.txt", BODY.encode() + b"\n\t\n", error="outside the folder",
         special="outside_link", uploadable=False),
    Case("symlink to a folder inside the folder", "nested", error="not followed", special="folder_link",
         uploadable=False),
    Case("named pipe", "pipe.txt", error="not a regular file", special="fifo", uploadable=False),
    Case("no read permission", "locked.txt", BODY.encode() + b"\n\n\n\n", error="permission denied",
         special="locked", uploadable=False),
    Case("html and formula salt", "salted.md",
         _front('title: "=HYPERLINK(\\"http://evil.example\\",\\"点我\\")"\nsource: "<script>alert(1)</script>"\n',
                "=HYPERLINK(\"http://evil.example\",\"点我\")<script>alert(1)</script><img src=x onerror=alert(2)>"
                + BODY)),
    Case(f"{BIG_MB} MB on a single line", f"one-line-{BIG_MB}MB.txt", None, error="too long for an article", special="big",
         upload_error="upload limit"),
]


# The copies a text may come in, each a way of writing it as bytes (the same text whatever the encoding).
REENCODINGS = {
    "utf-8": lambda t: t.encode("utf-8"),
    "utf-8 with bom": lambda t: b"\xef\xbb\xbf" + t.encode("utf-8"),
    "utf-16 le with bom": lambda t: b"\xff\xfe" + t.encode("utf-16-le"),
    "utf-16 be with bom": lambda t: b"\xfe\xff" + t.encode("utf-16-be"),
    "utf-16 le without bom": lambda t: t.encode("utf-16-le"),
    "utf-16 be without bom": lambda t: t.encode("utf-16-be"),
    "utf-32 le with bom": lambda t: b"\xff\xfe\x00\x00" + t.encode("utf-32-le"),
    "utf-32 be with bom": lambda t: b"\x00\x00\xfe\xff" + t.encode("utf-32-be"),
    "gb18030": lambda t: t.encode("gb18030"),
    "big5": lambda t: t.encode("big5"),
}


def reencode(text: str, encoding: str) -> bytes | None:
    """text in one of REENCODINGS, or None when that encoding cannot carry every character of it."""
    try:
        return REENCODINGS[encoding](text)
    except UnicodeEncodeError:
        return None


def gbk_name() -> bytes:
    """A file name a Windows scraper wrote in GBK: not valid UTF-8, so Python sees surrogates."""
    return "阿里云财报.txt".encode("gbk")


def write_big(path: Path, mb: int = BIG_MB) -> Path:
    """BODY's claim sentence, then filler, all on one line: `mb` MiB exactly, valid UTF-8 throughout."""
    head = BODY.rstrip("\n").encode()
    block = FILLER.encode() * (2**20 // len(FILLER.encode()))
    n, rest = divmod(mb * 2**20 - len(head), len(block))
    with open(path, "wb") as f:
        f.write(head)
        for _ in range(n):
            f.write(block)
        f.write(b" " * rest)
    return path


def write_corpus(folder: Path, big: Path | None = None) -> dict[str, Path]:
    """Write every case into `folder`; returns kind -> path. `big` is an existing big file to link in
    (a hard link, so the session generates the 50 MB once); without it, it is written here."""
    folder.mkdir(parents=True, exist_ok=True)
    paths: dict[str, Path] = {}
    for c in CASES:
        p = folder / c.name
        if c.data is not None and c.special in (None, "locked"):
            p.write_bytes(c.data)
        if c.special == "gbk_name":
            raw = os.path.join(os.fsencode(folder), gbk_name())
            with open(raw, "wb") as f:
                f.write(c.data)
            p = Path(os.fsdecode(raw))
        elif c.special == "symlink_loop":
            os.symlink("loop-b.txt", p)  # a -> b -> a
            os.symlink(c.name, folder / "loop-b.txt")
        elif c.special == "self_link":
            os.symlink(c.name, p)
        elif c.special == "dev_zero":
            os.symlink("/dev/zero", p)
        elif c.special == "outside_link":
            target = folder.parent / f"outside-{folder.name}.txt"
            target.write_bytes(c.data)
            os.symlink(target, p)
        elif c.special == "folder_link":  # a directory that contains itself: discovery must not walk it forever
            p.mkdir()
            p = p / "up"
            os.symlink("..", p)
        elif c.special == "deep":
            for _ in range(DEEP):  # one level at a time: pathlib's mkdir(parents=True) recurses too
                os.mkdir(p)
                p = p / "d"
            p = p.with_name("article.txt")
            p.write_bytes(c.data)
        elif c.special == "fifo":
            os.mkfifo(p)
        elif c.special == "locked":
            p.chmod(0)
        elif c.special == "big":
            if big is None:
                write_big(p)
            else:
                os.link(big, p)
        paths[c.kind] = p
    return paths


def remove_tree(top: Path) -> None:
    """shutil.rmtree without recursion: Python 3.11's recurses, and fails on the DEEP folders."""
    stack, folders = [Path(top)], []
    while stack:
        d = stack.pop()
        folders.append(d)
        with os.scandir(d) as it:
            for e in it:
                if e.is_dir(follow_symlinks=False):
                    stack.append(Path(e.path))
                else:
                    os.unlink(e.path)
    for d in reversed(folders):
        os.rmdir(d)


# ---- an unreadable file, when the tests run as root ------------------------------------------------------------
# chmod 000 does not stop root: CAP_DAC_OVERRIDE reads anything. A child started with unprivileged() drops that
# capability (and CAP_DAC_READ_SEARCH) from its bounding set before exec, so for it a mode-000 file really is
# unreadable, as for an ordinary analyst's account. locked_is_unreadable() checks that this worked here.
PR_CAPBSET_DROP, CAP_DAC_OVERRIDE, CAP_DAC_READ_SEARCH = 24, 1, 2


def _drop_file_override() -> None:
    libc = ctypes.CDLL(None, use_errno=True)
    for cap in (CAP_DAC_OVERRIDE, CAP_DAC_READ_SEARCH):
        if libc.prctl(PR_CAPBSET_DROP, cap, 0, 0, 0) != 0:
            raise OSError(ctypes.get_errno(), "prctl(PR_CAPBSET_DROP) failed")


def cloudclaims() -> list[str]:
    """The command that runs the CLI of this environment (the console script, else the module)."""
    script = Path(sys.executable).with_name("cloudclaims")
    return [str(script)] if script.exists() else [sys.executable, "-m", "extractors.run.cli"]


@functools.cache
def unprivileged():
    """preexec_fn for subprocess: the capability drop for root, None for an ordinary user or where root
    may not drop capabilities (no CAP_SETPCAP): the locked case then cannot be proven and is skipped."""
    if os.geteuid() != 0:
        return None
    try:
        subprocess.run([sys.executable, "-c", "pass"], preexec_fn=_drop_file_override, check=True, timeout=60)
    except (OSError, subprocess.SubprocessError):
        return None
    return _drop_file_override


def locked_is_unreadable(path: Path) -> bool:
    """Whether a child started with unprivileged() gets PermissionError opening `path`."""
    try:
        r = subprocess.run([sys.executable, "-c", "import sys; open(sys.argv[1], 'rb')", str(path)],
                           preexec_fn=unprivileged(), capture_output=True, timeout=60)
    except (OSError, subprocess.SubprocessError):
        return False
    return r.returncode != 0 and b"PermissionError" in r.stderr


# ---- processes a test or the stress run started ------------------------------------------------------------------
def children(pid: int) -> list[int]:
    """The processes whose parent is pid (read from /proc)."""
    out = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            if int(stat.read_text().rsplit(")", 1)[1].split()[1]) == pid:
                out.append(int(stat.parent.name))
        except (OSError, IndexError, ValueError):
            continue
    return out


def running(pid: int) -> bool:
    """Whether pid is a live process (a zombie is not)."""
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False


def cmdline(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
    except OSError:
        return ""
