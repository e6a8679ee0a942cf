"""The differential tests' one tool: the rows of files, extracted in a fresh process under given settings
(which regex engine, compiled core or Python source), and the corpora they compare on."""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DEVSET = ROOT.parent / "shared" / "devset" / "docs"  # third parties' texts: read in place, never copied
SETTINGS = ("CLOUDCLAIMS_PATTERNS", "CLOUDCLAIMS_PURE_PYTHON", "CLOUDCLAIMS_NATIVE")
DUMP = """
import json, sys
from pathlib import Path
from extractors import compiled, native, pipeline
files = {}
for f in sys.argv[1:]:
    doc, rows = pipeline.process_path(Path(f))
    files[f] = [doc.get("error")] + [{k: str(v) for k, v in r.items()} for r in rows]
kernels = sorted(k for k, v in native._loaded.items() if v is not None)
print(json.dumps({"compiled": compiled.status()["compiled"], "native": kernels, "files": files}, ensure_ascii=False,
                 sort_keys=True))
"""


def corpus() -> list[str]:
    """The bundled articles, the held-out articles and (when it is beside the repo) the dev set."""
    files = sorted((ROOT / "data" / "articles").glob("*.txt")) + sorted((ROOT / "tests" / "heldout" / "docs").glob("*"))
    files += sorted(DEVSET.glob("*")) if DEVSET.is_dir() else []
    return [str(f) for f in files]


def rows(files: list[str], **settings: str) -> dict:
    """{"files": {file: [error, row...]}, "compiled": the modules that ran compiled, "native": the kernels that
    ran}; settings name SETTINGS' values."""
    env = {k: v for k, v in os.environ.items() if k not in SETTINGS}
    env.update({f"CLOUDCLAIMS_{k.upper()}": v for k, v in settings.items()})
    done = subprocess.run([sys.executable, "-c", DUMP, *files], cwd=ROOT, env=env, capture_output=True, text=True,
                          check=True)
    return json.loads(done.stdout)


def hostile_files(folder: Path) -> list[str]:
    """Damaged and pathological articles: every hostile case that is plain bytes, and texts built to be slow."""
    from tests import hostile

    texts = [hostile.BODY, hostile.BODY.replace("。", "，") * 50, "(" * 3000 + "阿里云营收增长6%" + ")" * 3000,
             "1" * 20_000 + "亿元", "號(hào)" * 2000 + hostile.BODY]
    paths = []
    for i, text in enumerate(texts):
        paths.append(folder / f"slow{i}.txt")
        paths[-1].write_text(text, encoding="utf-8")
    for i, case in enumerate(c for c in hostile.CASES if c.data is not None and c.special is None):
        paths.append(folder / f"case{i}{Path(case.name).suffix}")
        paths[-1].write_bytes(case.data)
    return [str(p) for p in paths]


def generated_files(folder: Path, generated: list[str]) -> list[str]:
    """Hypothesis-made texts as articles, each between two claims so that the resolver has state to carry."""
    paths = []
    for i, text in enumerate(generated):
        p = folder / f"g{i}.txt"
        p.write_text("阿里云营收增长6%。" + text + "\n" + text + "阿里云收入为300亿元。", encoding="utf-8", errors="replace")
        paths.append(str(p))
    return paths
