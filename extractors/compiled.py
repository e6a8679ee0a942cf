"""The compiled core: the per-document modules built by Cython from their own Python source, and the import
rule that uses a build only when it was made from the source that stands beside it.

The Python source stays the reference. CLOUDCLAIMS_PURE_PYTHON=1 imports it instead of the build, and
tests/test_compiled_core.py compares the rows of the two, one for one. A build made from another version of
a file is never run: that module is imported from source, and one line on stderr says so.

Build: `cloudclaims core build` (make install does it); `cloudclaims core` shows what runs compiled. The build
needs a C compiler and Python's headers; without them it says why, and the Python source runs, slower.
"""
from __future__ import annotations

import hashlib
import importlib.machinery
import importlib.util
import json
import os
import sys
from pathlib import Path

PACKAGE = Path(__file__).resolve().parent
MANIFEST = PACKAGE / "_compiled.json"  # {"built": {module: sha256 of the source it was built from}, "error": ...}
PURE_ENV = "CLOUDCLAIMS_PURE_PYTHON"
# What runs per document; the batch, cache and CLI machinery spend their time elsewhere.
MODULES = ("calendar", "grammar", "metrics", "patterns", "pipeline", "resolve", "table", "tokens",
           "text.documents", "text.normalize",
           "recognize.lexicon", "recognize.numbers", "recognize.periods", "recognize.scan", "recognize.tables")
DIRECTIVES = {"language_level": 3, "binding": True, "annotation_typing": False}  # hints document, they do not bind
NATIVE = PACKAGE / "native"  # the kernels (extractors/native/__init__.py): typed Cython, C++, PCRE2
PCRE2_HEADER = "pcre2.h"


def source(module: str) -> Path:
    return PACKAGE.joinpath(*module.split(".")).with_suffix(".py")


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _manifest() -> dict:
    try:
        return json.loads(MANIFEST.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}


COMMON = ("pcre2.pxd", "regex32.pxd", "regex32.pyx", "dialect.py")  # what every kernel is built on


def native_sources(kernel: str) -> list[Path]:
    """What a kernel is built from: the PCRE2 layer and its own .pyx (and .pxd)."""
    own = [NATIVE / f"{kernel}.pyx", NATIVE / f"{kernel}.pxd"]
    return [p for p in [NATIVE / c for c in COMMON] + own if p.is_file()]


def native_kernels() -> list[str]:
    """regex32 first: the others cimport it."""
    return sorted((p.stem for p in NATIVE.glob("*.pyx")), key=lambda k: (k != "regex32", k))


def _native_digest(kernel: str) -> str:
    h = hashlib.sha256()
    for p in native_sources(kernel):
        h.update(p.name.encode() + b"\0" + p.read_bytes())
    return h.hexdigest()


_NATIVE_STATUS: dict | None = None


def native_status() -> dict:
    """Which kernels are built from the sources beside them; ok when the PCRE2 layer (regex32) is."""
    global _NATIVE_STATUS
    if _NATIVE_STATUS is None:
        manifest = _manifest()
        built = manifest.get("native", {})
        kernels, stale = [], []
        for k, digest in sorted(built.items()):
            if _extension(f"native.{k}") is None:
                continue
            (kernels if (NATIVE / f"{k}.pyx").is_file() and digest == _native_digest(k) else stale).append(k)
        if "regex32" in stale:
            kernels = []
        if stale:
            print(f"cloudclaims: the native kernels {', '.join(stale)} were built from other sources; running "
                  "without them (make install rebuilds them)", file=sys.stderr)
        _NATIVE_STATUS = {"ok": "regex32" in kernels, "kernels": kernels, "error": manifest.get("native_error")}
    return _NATIVE_STATUS


def _extension(module: str) -> Path | None:
    base = source(module).with_suffix("")
    for suffix in importlib.machinery.EXTENSION_SUFFIXES:
        if base.with_name(base.name + suffix).is_file():
            return base.with_name(base.name + suffix)
    return None


def status() -> dict:
    """Which modules run compiled, which builds are stale (made from other source), and why none may be."""
    pure = bool(os.environ.get(PURE_ENV))
    manifest = _manifest()
    built = manifest.get("built", {})
    compiled, stale = [], []
    for m in MODULES:
        if _extension(m) is None or m not in built:
            continue
        (compiled if built[m] == _digest(source(m)) else stale).append(m)
    native = native_status()
    return {"pure": pure, "compiled": [] if pure else compiled, "stale": stale, "error": manifest.get("error"),
            "native": [] if pure else native["kernels"], "native_error": native["error"]}


class _Finder:
    """Imports extractors.<module> from its build when the build was made from the source beside it. Decided
    at the first such import, so a command that imports none of them (the warm path) hashes nothing."""

    def __init__(self):
        self.use: set[str] | None = None
        self.stale: list[str] = []

    def find_spec(self, name: str, path=None, target=None):
        module = name.removeprefix(__package__ + ".")
        if module == name or module not in MODULES:
            return None
        if self.use is None:
            now = status()
            self.use, self.stale = set(now["compiled"]), now["stale"]
        if module in self.stale:
            self.stale.remove(module)
            print(f"cloudclaims: the compiled {name} was built from another version of {source(module).name}; "
                  "running its Python source (make install rebuilds it)", file=sys.stderr)
        if module in self.use:
            ext = _extension(module)
            loader = importlib.machinery.ExtensionFileLoader(name, str(ext))
            return importlib.util.spec_from_file_location(name, ext, loader=loader)
        return importlib.util.spec_from_file_location(name, source(module))


def install() -> None:
    """Put the rule on the import path, once per process (extractors/__init__.py calls it)."""
    if not any(isinstance(f, _Finder) for f in sys.meta_path):
        sys.meta_path.insert(0, _Finder())


def _build_ext(exts: list, jobs: int) -> None:
    from setuptools import Distribution

    dist = Distribution({"ext_modules": exts, "script_name": "extractors/compiled.py"})
    cmd = dist.get_command_obj("build_ext")
    cmd.inplace, cmd.parallel, cmd.build_temp = 1, jobs, "build/temp"
    dist.run_command("build_ext")


def _pcre2_include() -> list[str] | None:
    """Where pcre2.h is (its package's include dirs, or the system's), or None when it is missing."""
    dirs = [d for d in os.environ.get("CPATH", "").split(os.pathsep) if d] + ["/usr/include", "/usr/local/include"]
    return [d for d in dirs if Path(d, PCRE2_HEADER).is_file()][:1] or None


def build(jobs: int = 2) -> dict:
    """Compile MODULES and the native kernels in place and record the source each was built from. A failure
    is recorded, not raised; the kernels' failure leaves the Cython core built."""
    root = PACKAGE.parent
    here = Path.cwd()
    try:
        from Cython.Build import cythonize

        os.chdir(root)  # build_ext --inplace puts each module beside its source, relative to here
        sources = [str(source(m).relative_to(root)) for m in MODULES]
        digests = {m: _digest(source(m)) for m in MODULES}
        exts = cythonize(sources, build_dir="build/cython", compiler_directives=DIRECTIVES, nthreads=jobs,
                         quiet=True)
        _build_ext(exts, jobs)
        result = {"built": digests, "error": None}
    except (Exception, SystemExit) as e:  # distutils reports a compiler failure as SystemExit
        result = {"built": {}, "error": f"{type(e).__name__}: {e}"}
    finally:
        os.chdir(here)
    result.update(_build_native(root, jobs) if result["error"] is None else
                  {"native": {}, "native_error": "the compiled core was not built"})
    MANIFEST.write_text(json.dumps(result, indent=1, sort_keys=True) + "\n", encoding="utf-8")
    global _NATIVE_STATUS
    _NATIVE_STATUS = None
    return result


def _build_native(root: Path, jobs: int) -> dict:
    """Each kernel built on its own, so that one that fails to build leaves the others running."""
    include = _pcre2_include()
    if include is None:
        return {"native": {}, "native_error": f"{PCRE2_HEADER} is missing (Debian: apt-get install libpcre2-dev)"}
    here = Path.cwd()
    built, errors = {}, []
    try:
        from Cython.Build import cythonize
        from setuptools import Extension

        os.chdir(root)
        for k in native_kernels():
            if k != "regex32" and "regex32" not in built:
                break
            digest = _native_digest(k)
            ext = Extension(f"extractors.native.{k}", [f"extractors/native/{k}.pyx"], language="c++",
                            include_dirs=include, libraries=["pcre2-32"], extra_compile_args=["-O2"])
            try:
                _build_ext(cythonize([ext], build_dir="build/cython", quiet=True,
                                     compiler_directives={"language_level": 3}), jobs)
                built[k] = digest
            except (Exception, SystemExit) as e:  # distutils reports a compiler failure as SystemExit
                errors.append(f"{k}: {type(e).__name__}: {e}")
    finally:
        os.chdir(here)
    return {"native": built, "native_error": "; ".join(errors) or None}


def main(args: list[str]) -> int:
    """`cloudclaims core build` and `cloudclaims core`."""
    if args[:1] == ["build"]:
        result = build()
        if result["error"]:
            print(f"cloudclaims: the compiled core was not built ({result['error']}); the Python source runs, "
                  "slower. It needs a C compiler and Python's headers.", file=sys.stderr)
        else:
            print(f"cloudclaims: compiled {len(result['built'])} modules of the extraction core")
        if result["native_error"]:
            print(f"cloudclaims: native kernels not built: {result['native_error']}; the compiled core runs "
                  "without them.", file=sys.stderr)
        if result["native"]:
            print(f"cloudclaims: built {len(result['native'])} native kernels ({', '.join(result['native'])})")
        return 0
    if args:
        print(f"cloudclaims core: unknown argument {args[0]!r}; use `cloudclaims core build` or `cloudclaims core`",
              file=sys.stderr)
        return 2
    print(json.dumps(status(), indent=1))
    return 0
