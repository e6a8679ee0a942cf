"""Read article files: find them, decode them, split front matter, and settle their metadata.

Metadata precedence: front matter, then sources.yaml beside the file, then inference from the text.
A file that cannot be read becomes a Document with `error` set; the batch goes on.
"""
from __future__ import annotations

import codecs
import datetime as dt
import functools
import hashlib
import os
import re
import stat
import threading
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from extractors import rules_data

SUFFIXES = {".txt", ".md"}
SOURCES_FILE = "sources.yaml"
REFUSED = "_refused"  # key of a `sources` entry: why discovery refused the file (find_articles)
META_FIELDS = ("title", "url", "publisher", "published", "fetched")
MAX_BYTES = 64 * 1024 * 1024  # read no more than this (memory)
# Longer texts are refused, not extracted: 4 M characters is four long novels, far beyond any article, and
# keeps the worst document to seconds (bench/stress.py prints it) under the batch's watchdog.
MAX_CHARS = 4_000_000
# A decoded text may have this share of its bytes replaced (a stray invalid byte, a damaged download): more,
# and it is not the encoding we tried.
MAX_BAD_SHARE = 0.01
MAX_BAD_BYTES = 16  # ... or this many bytes, whichever is more (short texts)


class DocumentError(Exception):
    """A file that cannot be read as an article; the message says why."""


@dataclass
class Document:
    path: Path
    doc_id: str = ""
    raw: str = ""  # the decoded original text, front matter included; spans index into it
    body_start: int = 0
    encoding: str | None = None
    meta: dict = field(default_factory=dict)  # field -> value
    origin: dict = field(default_factory=dict)  # field -> front_matter | sources_yaml | inferred | app
    precision: str | None = None  # of `published`: day | month | year
    evidence: str | None = None  # why `published` has its value
    warnings: list[str] = field(default_factory=list)
    error: str | None = None


def discover(paths: list[Path]) -> list[Path]:
    """Article files under the given files and directories, in a stable order (see find_articles)."""
    return find_articles(paths)[0]


def find_articles(paths: list[Path]) -> tuple[list[Path], dict[str, str]]:
    """Article files under the given files and folders, in a stable order, and the ones refused, with why.

    Links: a file or folder named here is read or walked, link or not. Inside a folder, a link to a folder
    is not walked (it could loop or repeat the tree) and is listed, to be reported; a link to a file is read
    when its target is inside the folder, and refused when it points outside it (nothing is read from beyond
    the folders given; name such a file explicitly to read it). Folders are walked without recursion, so
    any depth is fine; one that cannot be listed is reported."""
    found: list[Path] = []
    refused: dict[str, str] = {}
    for p in paths:
        p = Path(p)
        if p.is_dir():
            found.extend(_walk(p, refused))
        else:
            found.append(p)  # named explicitly: read it, or report why not
    seen: set[Path] = set()
    return [f for f in found if not (f in seen or seen.add(f))], refused


def _walk(root: Path, refused: dict[str, str]) -> list[Path]:
    """Depth first, files before sub-folders, each sorted by name: the order os.walk gave."""
    top = os.path.realpath(root)
    out: list[Path] = []
    stack = [root]
    while stack:
        folder = stack.pop()
        try:
            with os.scandir(folder) as it:
                entries = sorted(it, key=lambda e: e.name)
        except OSError as e:
            out.append(folder)
            refused[str(folder)] = f"folder cannot be listed ({e.strerror or e}); the articles in it were not read"
            continue
        subdirs = []
        for e in entries:
            path = folder / e.name
            if e.is_dir(follow_symlinks=False):
                subdirs.append(path)
            elif e.is_symlink() and _is_dir(e):
                out.append(path)
                refused[str(path)] = ("a link to a folder inside the folder is not followed (it could loop); "
                                      "name it on the command line to read it")
            elif Path(e.name).suffix.lower() in SUFFIXES:
                out.append(path)
                if e.is_symlink() and (why := _outside_link(path, top)):
                    refused[str(path)] = why
        stack.extend(reversed(subdirs))
    return out


def _is_dir(entry: os.DirEntry) -> bool:
    try:
        return entry.is_dir()
    except OSError:  # a link that loops: read_bytes reports it
        return False


def _outside_link(path: Path, top: str) -> str | None:
    """Why a link found inside the folder `top` is not read, if its target is a file outside it."""
    target = os.path.realpath(path)
    if not os.path.isfile(target):
        return None  # broken, looping, a device or a pipe: read_bytes says which
    if os.path.commonpath([top, target]) == top:
        return None
    return f"a link to a file outside the folder ({printable(target)}); not read (name the file explicitly to read it)"


def load_sources_for(files: list[Path]) -> dict[str, dict]:
    """Metadata from the sources.yaml beside each file, keyed by the file's path."""
    out: dict[str, dict] = {}
    for folder in sorted({f.parent for f in files}):
        sf = folder / SOURCES_FILE
        if not sf.is_file():
            continue
        try:
            data = yaml.safe_load(sf.read_text(encoding="utf-8")) or {}
            if not isinstance(data, dict):
                raise ValueError("expected a mapping of file name -> metadata")
        except (OSError, ValueError, yaml.YAMLError) as e:
            for f in files:
                if f.parent == folder:
                    out[str(f)] = {"_error": f"{sf}: unreadable ({e.__class__.__name__}: {str(e).splitlines()[0]})"}
            continue
        for f in files:
            if f.parent == folder and isinstance(data.get(f.name), dict):
                out[str(f)] = data[f.name]
    return out


# (byte-order mark, codec for the bytes after it, name in the encoding column, name in messages). UTF-32's
# marks come first: UTF-32 LE's begins with UTF-16 LE's.
BOMS = ((b"\xff\xfe\x00\x00", "utf-32-le", "utf-32", "UTF-32"), (b"\x00\x00\xfe\xff", "utf-32-be", "utf-32", "UTF-32"),
        (b"\xef\xbb\xbf", "utf-8", "utf-8-sig", "UTF-8"), (b"\xff\xfe", "utf-16-le", "utf-16", "UTF-16"),
        (b"\xfe\xff", "utf-16-be", "utf-16", "UTF-16"))

_bad = threading.local()


def _count_and_replace(e: UnicodeDecodeError) -> tuple[str, int]:
    _bad.n += e.end - e.start
    _bad.first = e.start if _bad.first is None else _bad.first
    return "\ufffd", e.end  # what errors="replace" gives, so the dashboard decodes the same text


codecs.register_error("cloudclaims-count", _count_and_replace)


def _replacing(data: bytes, codec: str) -> tuple[str, int, int | None]:
    """Text, how many bytes were replaced, and where the first was."""
    _bad.n, _bad.first = 0, None
    return data.decode(codec, "cloudclaims-count"), _bad.n, _bad.first


def _bad_limit(n_bytes: int) -> int:
    return max(MAX_BAD_BYTES, int(n_bytes * MAX_BAD_SHARE))


def _decode_unicode(data: bytes, codec: str, name: str, warnings: list[str] | None) -> str:
    """Strict decoding if it works. An incomplete last character (a download cut short) is dropped, and a
    few invalid bytes are replaced by U+FFFD, each with a warning, instead of losing the whole article."""
    try:
        return data.decode(codec)
    except UnicodeDecodeError as e:
        if e.start >= len(data) - 3:
            try:
                text = data[: e.start].decode(codec)
                _warn(warnings, f"the last {len(data) - e.start} bytes are an incomplete {name} character "
                                "(a truncated file?); dropped")
                return text
            except UnicodeDecodeError:
                pass
    text, bad, first = _replacing(data, codec)
    if bad > _bad_limit(len(data)):
        raise DocumentError(f"not valid {name}: {bad:,} bytes cannot be decoded, the first at byte {first:,}")
    _warn(warnings, f"{bad:,} {'byte is' if bad == 1 else 'bytes are'} not valid {name} (the first at byte {first:,}) "
                    "and replaced by U+FFFD; the rest of the text is kept")
    return text


def _warn(warnings: list[str] | None, message: str) -> None:
    if warnings is not None:
        warnings.append(message)


def decode(data: bytes, warnings: list[str] | None = None) -> tuple[str, str]:
    """Text and encoding name (a Python codec: the dashboard decodes the file again with it). UTF-8 (BOM or
    not), UTF-16 (BOM or not), UTF-32 with BOM, GB18030, Big5. Why a file is not text goes in DocumentError;
    repairs made on the way, and signs of damage, go in `warnings`."""
    text, encoding = _decode(data, warnings)
    if why := lossy_reencoding(text):
        _warn(warnings, why)
    return text, encoding


def _decode(data: bytes, warnings: list[str] | None) -> tuple[str, str]:
    for bom, codec, encoding, name in BOMS:
        if data.startswith(bom):  # offsets in errors count from after the mark
            return _decode_unicode(data[len(bom):], codec, name, warnings), encoding
    if b"\x00" in data:
        if got := _utf16_without_bom(data, warnings):
            return got
        raise DocumentError("binary file (contains NUL bytes), not text")
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    repaired: list[str] = []
    try:  # UTF-8 with a stray byte or a cut-off end...
        utf8 = _decode_unicode(data, "utf-8", "UTF-8", repaired)
    except DocumentError:
        utf8 = None
    candidates = []
    for enc in ("big5", "gb18030"):
        try:
            candidates.append((enc, data.decode(enc)))
        except UnicodeDecodeError:
            continue
    # GB18030 decodes almost any byte string; prefer the reading with more common characters.
    candidates.sort(key=lambda c: -_common_share(c[1]))
    legacy = candidates[0] if candidates and _common_share(candidates[0][1]) >= 0.5 else None
    # ... unless a legacy encoding reads it cleanly as more Chinese (a mostly English GB18030 text has only a
    # few bytes that are not UTF-8, and those are its Chinese words)
    if legacy and (utf8 is None or _han(legacy[1]) > _han(utf8)):
        return legacy[1], legacy[0]
    if utf8 is not None:
        for w in repaired:
            _warn(warnings, w)
        return utf8, "utf-8"
    for enc, name in (("big5", "Big5"), ("gb18030", "GB18030")):  # a legacy text with a few damaged bytes
        text, bad, _ = _replacing(data, enc)
        if bad and bad <= _bad_limit(len(data)) and _common_share(text) >= 0.5:
            _warn(warnings, f"{bad:,} bytes are not valid {name} and replaced by U+FFFD; the rest of the text is kept")
            return text, enc
    if not candidates:
        raise DocumentError("not text in UTF-8, UTF-16, UTF-32, GB18030 or Big5")
    raise DocumentError(f"does not look like text (best guess {candidates[0][0]} gives mostly rare characters)")


def _utf16_without_bom(data: bytes, warnings: list[str] | None) -> tuple[str, str] | None:
    """UTF-16 without a byte-order mark, told by where its zero bytes fall (the high byte of every ASCII
    character: digits, punctuation, line ends); None when the bytes do not read as text that way."""
    even, odd = data[0::2].count(0), data[1::2].count(0)
    codec = "utf-16-le" if odd > 4 * even else "utf-16-be" if even > 4 * odd else None
    if codec is None:
        return None
    found: list[str] = []
    try:
        text = _decode_unicode(data, codec, "UTF-16", found)
    except DocumentError:
        return None
    odd_chars = sum(1 for c in text if not c.isprintable() and c not in "\n\r\t")
    if odd_chars > _bad_limit(len(text)) or _common_share(text) < 0.5:
        return None
    for w in found:
        _warn(warnings, w)
    return text, codec


# A lossy re-encoding (GBK text saved through a Latin-1 or ASCII step) turns every character it cannot carry into
# "?": a run of them beside Chinese text is that, not punctuation (Chinese uses the full-width ？).
_QUESTION_RUN = re.compile(r"\?(?:(?<=[\u3400-\u9fff]\?)|(?=[\u3400-\u9fff?]))")  # '?' first: a scan skips to it
_HAN_RUN = re.compile(r"[\u3400-\u9fff]+")
LOSSY_MIN, LOSSY_SHARE = 8, 0.02


def lossy_reencoding(text: str) -> str | None:
    """A warning when a Chinese text holds an unusual share of '?' next to its characters, else None."""
    if text.count("?") < LOSSY_MIN:  # too few '?' of any kind: no scan needed
        return None
    n = len(_QUESTION_RUN.findall(text))
    if n < LOSSY_MIN:
        return None
    han = sum(map(len, _HAN_RUN.findall(text)))
    if n < LOSSY_SHARE * (han + n):
        return None
    return (f"{n:,} '?' stand among {han:,} Chinese characters: a sign of a lossy re-encoding (characters the "
            "file's encoding could not carry became '?'); check the numbers against the original")


@functools.cache
def _common() -> frozenset[str]:
    """Characters of everyday Chinese, simplified and traditional (rules/decoding.yaml)."""
    cfg = rules_data.load("decoding")
    return frozenset(cfg["common_simplified"]) | frozenset(cfg["common_traditional"])


def _han(text: str) -> int:
    return sum(1 for c in text[:4000] if "\u4e00" <= c <= "\u9fff" or "\u3400" <= c <= "\u4dbf")


def _common_share(text: str) -> float:
    han = [c for c in text[:4000] if "\u4e00" <= c <= "\u9fff" or "\u3400" <= c <= "\u4dbf"]
    if not han:
        return 1.0 if text.isprintable() or "\n" in text else 0.0
    common = _common()
    return sum(c in common for c in han) / len(han)




def split_front_matter(text: str) -> tuple[dict, int, list[str]]:
    """YAML front matter as a dict, the offset where the body starts, and warnings."""
    if not text.startswith("---"):
        return {}, 0, []
    first_nl = text.find("\n")
    if first_nl < 0 or text[:first_nl].strip() != "---":
        return {}, 0, []
    end = text.find("\n---", first_nl)
    while end >= 0 and text[end + 4 : end + 5] not in ("\n", "\r", ""):
        end = text.find("\n---", end + 4)
    if end < 0:
        raise DocumentError("front matter opened with '---' on line 1 is never closed")
    block = text[first_nl + 1 : end]
    body_start = end + 4
    if text[body_start : body_start + 2] == "\r\n":
        body_start += 2
    elif text[body_start : body_start + 1] == "\n":
        body_start += 1
    try:
        data = _flat_front_matter(block)
        if data is None:
            data = yaml.load(block, Loader=rules_data.YAML_LOADER) or {}
    except yaml.YAMLError as e:
        raise DocumentError(f"front matter is not valid YAML ({str(e).splitlines()[0]})") from None
    if not isinstance(data, dict):
        raise DocumentError("front matter is not a mapping of field: value")
    return data, body_start, []


# One `key: value` line whose value YAML reads as the text itself: a plain scalar with none of YAML's
# indicators where they mean something, or a quoted one without escapes. Anything else goes to YAML.
_FLAT_LINE = re.compile(r"""([A-Za-z_][A-Za-z0-9_]{0,200}):(?: +(?:"([^"\\]*)"|'([^']*)'|([^-?:,\[\]{}#&*!|>'"%@`\s]"""
                        r"""(?:[^\s:#]|:(?=\S)|(?<=\S)#|[ ](?=[^\s#]))*)))?[ ]*""")
_YAML_TEXT = "tag:yaml.org,2002:str"
# The characters YAML refuses to read (yaml.reader.Reader.NON_PRINTABLE).
_NOT_YAML = re.compile("[^\x09\x0A\x0D\x20-\x7E\x85\xA0-\uD7FF\uE000-\uFFFD\U00010000-\U0010ffff]")
_LINE_BREAKS = re.compile("[\r\x85\u2028\u2029]")  # YAML folds these inside a value


def _flat_front_matter(block: str) -> dict | None:
    """The front matter as YAML reads it when every line is a flat `key: text` (what scrapers write), else None.
    Five times faster than the YAML loader, which a corpus of short articles spends a tenth of its time in."""
    if _NOT_YAML.search(block) or _LINE_BREAKS.search(block):
        return None
    resolve = _resolver().resolve
    out = {}
    for line in block.split("\n"):
        m = _FLAT_LINE.fullmatch(line)
        if m is None:
            return None
        key, double, single, plain = m.groups()
        if plain is not None:
            if resolve(yaml.ScalarNode, plain, (True, False)) != _YAML_TEXT:
                return None  # a number, a date, a boolean, null...: YAML's own types
            value = plain
        else:
            value = double if double is not None else single
        if value is None or resolve(yaml.ScalarNode, key, (True, False)) != _YAML_TEXT:
            return None  # an empty value (null) or a key YAML reads as something else
        out[key] = value
    return out


@functools.cache
def _resolver() -> yaml.resolver.Resolver:
    return yaml.resolver.Resolver()


def parse_date(value) -> tuple[dt.date, str] | None:
    """A date and its precision from front matter or sources.yaml: 2024-09-19, 2024-09 or 2024."""
    if isinstance(value, (str, int, dt.date)):
        return _parse_date(value)
    return None


@functools.lru_cache(maxsize=4096, typed=True)  # articles of a corpus share their dates; strptime is slow
def _parse_date(value: str | int | dt.date) -> tuple[dt.date, str] | None:
    if isinstance(value, dt.datetime):
        return value.date(), "day"
    if isinstance(value, dt.date):
        return value, "day"
    if isinstance(value, int) and 1990 <= value <= 2100:
        return dt.date(value, 1, 1), "year"
    if not isinstance(value, str):
        return None
    s = value.strip()
    for fmt, prec in (("%Y-%m-%d", "day"), ("%Y/%m/%d", "day"), ("%Y-%m", "month"), ("%Y", "year")):
        try:
            return dt.datetime.strptime(s[: len(dt.date(2000, 1, 1).strftime(fmt))], fmt).date(), prec
        except ValueError:
            continue
    return None


def _clean_meta(raw: dict, where: str, warnings: list[str]) -> dict:
    """Keep the fields we know, with the right types; say what was ignored and why."""
    out = {}
    aliases = {"source": "publisher", "publisher": "publisher", "title": "title", "url": "url", "date": "published",
               "published": "published", "fetch_date": "fetched", "fetched": "fetched"}
    for key, value in raw.items():
        name = aliases.get(str(key))
        if name is None or value is None:
            continue
        if name in ("published", "fetched"):
            parsed = parse_date(value)
            if parsed is None:
                warnings.append(f"{where}: date {value!r} is not a date (use YYYY-MM-DD, YYYY-MM or YYYY); ignored")
                continue
            if name == "published" and parsed[0] > dt.date.today():
                warnings.append(f"{where}: date {parsed[0]} is in the future; ignored")
                continue
            out[name] = parsed if name == "published" else parsed[0]
        elif isinstance(value, (str, int, float)) and not isinstance(value, bool):
            out[name] = str(value).strip()
        else:
            warnings.append(f"{where}: {key} should be text, got {type(value).__name__}; ignored")
    return out


def path_text(path: Path) -> str:
    """The path as text for the tables. A name that is not UTF-8 (a GBK name written on Windows) holds
    surrogates that no table can store; its bytes are shown escaped instead (\\xb0\\xa2...)."""
    text = str(path)
    try:
        text.encode("utf-8")
        return text
    except UnicodeEncodeError:
        return os.fsencode(path).decode("utf-8", "backslashreplace")


_UNPRINTABLE = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]")


def printable(text: str) -> str:
    """Text for a log line: control characters, line separators and bidi overrides escaped (\\n, \\x1b,
    \\u202e), so a file name cannot forge lines of the summary or hide what it is."""
    return _UNPRINTABLE.sub(lambda m: m.group().encode("unicode_escape").decode("ascii"), text)


def _name_error(path: Path) -> str | None:
    raw = os.fsencode(path.name)
    try:
        raw.decode("utf-8")
        return None
    except UnicodeDecodeError:
        guess = raw.decode("gb18030", "replace")
        return f"the file name is not UTF-8 (as GB18030 it reads {guess!r}); rename the file to read it"


def read_bytes(path: Path) -> bytes:
    """The bytes of a regular article file, or DocumentError saying why not.

    Opened without blocking and checked with fstat before reading, so a named pipe, a link to a
    device (/dev/zero never ends) or a file that grows while we read cannot hang or exhaust memory.
    An article file is opened straight away; only a path that cannot be is looked at further, to say why.
    """
    if _name_error(path) or path.suffix.lower() not in SUFFIXES:
        _refuse(path)
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_NOCTTY", 0))
    except PermissionError:
        _refuse(path)
        raise DocumentError("permission denied (the file is not readable)") from None
    except OSError:
        _refuse(path)
        raise
    with os.fdopen(fd, "rb") as f:
        st = os.fstat(fd)
        if stat.S_ISDIR(st.st_mode):
            raise DocumentError("is a directory")
        if not stat.S_ISREG(st.st_mode):
            raise DocumentError("not a regular file (a pipe, device or socket); only plain text files are read")
        if st.st_size > MAX_BYTES:
            raise DocumentError(f"too large ({st.st_size / 2**20:.0f} MiB; an article is at most {MAX_BYTES // 2**20} MiB)")
        data = f.read(st.st_size + 1)  # not read(MAX_BYTES + 1): that allocates 64 MiB for every file
        if len(data) > st.st_size:  # it grew since fstat: read on to the limit
            data += f.read(MAX_BYTES + 1 - len(data))
    if len(data) > MAX_BYTES:
        raise DocumentError(f"too large (grew past {MAX_BYTES // 2**20} MiB while being read)")
    return data


def _refuse(path: Path) -> None:
    """Raise DocumentError saying why the path is no article file that can be read, if it is not."""
    if path.is_symlink() and not path.exists():
        raise DocumentError("broken or looping symbolic link")
    if not path.exists() and not _name_error(path):
        raise DocumentError("no such file or folder (a typo in the path?)")
    if why := _name_error(path):
        raise DocumentError(why)
    if path.suffix.lower() not in SUFFIXES:
        raise DocumentError(f"not an article file (expected .txt or .md, got {path.suffix or 'no extension'})")
    if path.is_dir():
        raise DocumentError("is a directory")


def read_document(path: Path, sources: dict[str, dict] | None = None) -> Document:
    """The document at `path`; `sources` holds its sources.yaml entry, or why discovery refused it (REFUSED)."""
    doc = Document(path=path if isinstance(path, Path) else Path(path))
    side = (sources or {}).get(str(doc.path), {})
    if REFUSED in side:
        doc.error = side[REFUSED]
        return doc
    try:
        data = read_bytes(doc.path)
        if not data.strip():
            raise DocumentError("empty file")
        doc.doc_id = hashlib.sha256(data).hexdigest()[:16]
        doc.raw, doc.encoding = decode(data, doc.warnings)
        if len(doc.raw) > MAX_CHARS:
            raise DocumentError(f"too long for an article ({len(doc.raw):,} characters; the limit is {MAX_CHARS:,})")
        front, doc.body_start, _ = split_front_matter(doc.raw)
    except DocumentError as e:
        doc.error = str(e)
        return doc
    except OSError as e:
        doc.error = f"cannot be read ({e.strerror or e.__class__.__name__})"
        return doc
    layers = [("front_matter", _clean_meta(front, "front matter", doc.warnings))]
    if "_error" in side:
        doc.warnings.append(side["_error"])
    else:
        layers.append(("sources_yaml", _clean_meta(side, SOURCES_FILE, doc.warnings)))
    for origin, meta in layers:
        for name in META_FIELDS:
            if name not in doc.meta and name in meta:
                doc.meta[name] = meta[name]
                doc.origin[name] = origin
    if "published" in doc.meta:
        doc.meta["published"], doc.precision = doc.meta["published"]
        why = side.get("evidence") if doc.origin["published"] == "sources_yaml" else None
        doc.evidence = f"{doc.origin['published'].replace('_', ' ')}" + (f": {why}" if why else "")
    return doc
