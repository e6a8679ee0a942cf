"""Read article files: find them, decode them, split front matter, and settle their metadata.

Metadata precedence: front matter, then sources.yaml beside the file, then inference from the text.
A file that cannot be read becomes a Document with `error` set; the batch goes on.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import os
import stat
from dataclasses import dataclass, field
from pathlib import Path

import yaml

YAML_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # libyaml when present: 7x faster, same result

SUFFIXES = {".txt", ".md"}
SOURCES_FILE = "sources.yaml"
META_FIELDS = ("title", "url", "publisher", "published", "fetched")
MAX_BYTES = 64 * 1024 * 1024  # read no more than this (memory)
# Longer texts are refused, not extracted: whole-text regex passes on 17 M characters take about the
# regex budget (normalize.TIMEOUT), so such a file was extracted on a quiet machine and "timed out" on a
# busy one. 4 M characters is four long novels, far beyond any article, and well inside the budget.
MAX_CHARS = 4_000_000


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
    """Article files under the given files and directories, in a stable order; symlinks are not followed."""
    found: list[Path] = []
    for p in paths:
        p = Path(p)
        if p.is_dir() and not p.is_symlink():
            for root, dirs, files in os.walk(p, followlinks=False):
                dirs.sort()
                found.extend(Path(root) / f for f in sorted(files) if Path(f).suffix.lower() in SUFFIXES)
        else:
            found.append(p)  # named explicitly: read it, or report why not
    seen: set[Path] = set()
    return [f for f in found if not (f in seen or seen.add(f))]


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


# (byte-order mark, codec for the bytes after it, name in the encoding column, name in messages)
BOMS = ((b"\xef\xbb\xbf", "utf-8", "utf-8-sig", "UTF-8"), (b"\xff\xfe", "utf-16-le", "utf-16", "UTF-16"),
        (b"\xfe\xff", "utf-16-be", "utf-16", "UTF-16"))


def _decode_unicode(data: bytes, codec: str, name: str, warnings: list[str] | None) -> str:
    """Strict decoding, except that an incomplete last character (a download cut short) is dropped
    with a warning instead of losing the whole article."""
    try:
        return data.decode(codec)
    except UnicodeDecodeError as e:
        if e.end < len(data) or e.start < len(data) - 3:
            raise DocumentError(f"not valid {name}: {e.reason} at byte {e.start:,} of the text") from None
        if warnings is not None:
            warnings.append(f"the last {len(data) - e.start} bytes are an incomplete {name} character "
                            "(a truncated file?); dropped")
        return data[: e.start].decode(codec)


def decode(data: bytes, warnings: list[str] | None = None) -> tuple[str, str]:
    """Text and encoding name. UTF-8 (BOM or not), UTF-16 with BOM, GB18030, Big5. Why a file is
    not text goes in DocumentError; repairs made on the way go in `warnings`."""
    for bom, codec, encoding, name in BOMS:
        if data.startswith(bom):  # offsets in errors count from after the mark
            return _decode_unicode(data[len(bom):], codec, name, warnings), encoding
    if b"\x00" in data:
        raise DocumentError("binary file (contains NUL bytes), not text")
    try:
        return _decode_unicode(data, "utf-8", "UTF-8", warnings), "utf-8"
    except DocumentError:
        pass
    candidates = []
    for enc in ("big5", "gb18030"):
        try:
            candidates.append((enc, data.decode(enc)))
        except UnicodeDecodeError:
            continue
    if len(candidates) == 2:
        # GB18030 decodes almost any byte string; prefer the reading with more common characters.
        candidates.sort(key=lambda c: -_common_share(c[1]))
    if not candidates:
        raise DocumentError("not text in UTF-8, UTF-16, GB18030 or Big5")
    enc, text = candidates[0]
    if _common_share(text) < 0.5:
        raise DocumentError(f"does not look like text (best guess {enc} gives mostly rare characters)")
    return text, enc


_COMMON = set(
    "的一是在不了有和人这中大为上个国我以要他时来用们生到作地于出就分对成会可主发年动同工也能下过子说产种面而方后多定行学法所民得经十三之进着等部度家电力里如水化高自二理起小物现实加量都两体制机当使点从业本去把性好应开它合还因由其些然前外天政四日那社义事平形相全表间样与关各重新线内数正心反你明看原又么利比或但质气第向道命此变条只没结解问意建月公无系军很情者最立代想已通并提直题党程展五果料象员革位入常文总次品式活设及管特件长求老头基资边流路级少图山统接知较将组见计别她手角期根论运农指几九区强放决西被干做必战先回则任取据处队南给色光门即保治北造百规热领七海口东导器压志世金增争济阶油思术极交受联什认六共权收证改清己美再采转更单风切打白教速花带安场身车例真务具万每目至达走积示议声报斗完类八离华名确才科张信马节话米整空元况今集温传土许步群广石记需段研界拉林律叫且究观越织装影算低持音众书布复容儿须际商非验连断深难近矿千周委素技备半办青省列习响约支般史感劳便团往酸历市克何除消构府称太准精值号率族维划选标写存候毛亲快效斯院查江型眼王按格养易置派层片始却专状育厂京识适属圆包火住调满县局照参红细引听该铁价严云营亿阿"
)


def _common_share(text: str) -> float:
    han = [c for c in text[:4000] if "\u4e00" <= c <= "\u9fff" or "\u3400" <= c <= "\u4dbf"]
    if not han:
        return 1.0 if text.isprintable() or "\n" in text else 0.0
    return sum(c in _COMMON or c in _TRAD_COMMON for c in han) / len(han)


_TRAD_COMMON = set("們這國過時來對會學說發經進動現實裡業機當與點從開還關質線內數氣問長門東將麼營億雲財報務額萬增價區費")


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
        data = yaml.load(block, Loader=YAML_LOADER) or {}
    except yaml.YAMLError as e:
        raise DocumentError(f"front matter is not valid YAML ({str(e).splitlines()[0]})") from None
    if not isinstance(data, dict):
        raise DocumentError("front matter is not a mapping of field: value")
    return data, body_start, []


def parse_date(value) -> tuple[dt.date, str] | None:
    """A date and its precision from front matter or sources.yaml: 2024-09-19, 2024-09 or 2024."""
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
    """
    if path.is_symlink() and not path.exists():
        raise DocumentError("broken or looping symbolic link")
    if why := _name_error(path):
        raise DocumentError(why)
    if path.suffix.lower() not in SUFFIXES:
        raise DocumentError(f"not an article file (expected .txt or .md, got {path.suffix or 'no extension'})")
    if path.is_dir():
        raise DocumentError("is a directory")
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_NOCTTY", 0))
    except PermissionError:
        raise DocumentError("permission denied (the file is not readable)") from None
    with os.fdopen(fd, "rb") as f:
        st = os.fstat(fd)
        if not stat.S_ISREG(st.st_mode):
            raise DocumentError("not a regular file (a pipe, device or socket); only plain text files are read")
        if st.st_size > MAX_BYTES:
            raise DocumentError(f"too large ({st.st_size / 2**20:.0f} MiB; an article is at most {MAX_BYTES // 2**20} MiB)")
        data = f.read(MAX_BYTES + 1)
    if len(data) > MAX_BYTES:
        raise DocumentError(f"too large (grew past {MAX_BYTES // 2**20} MiB while being read)")
    return data


def read_document(path: Path, sources: dict[str, dict] | None = None) -> Document:
    doc = Document(path=Path(path))
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
    side = (sources or {}).get(str(doc.path), {})
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
