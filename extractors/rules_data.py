"""Loads the YAML rule files under extractors/rules/ once per process."""
from __future__ import annotations

import functools
import hashlib
from pathlib import Path

import yaml

RULES_DIR = Path(__file__).with_name("rules")
# libyaml when present: the same data, read about 7x faster (every process, each worker, reads all the rules)
YAML_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


@functools.cache
def load(name: str) -> dict | list:
    path = RULES_DIR / f"{name}.yaml"
    with path.open(encoding="utf-8") as fh:
        return yaml.load(fh, Loader=YAML_LOADER)


def fingerprint() -> str:
    """Changes whenever any rule file changes: part of every cache key."""
    h = hashlib.sha256()
    for p in sorted(RULES_DIR.glob("*.yaml")):
        h.update(p.name.encode())
        h.update(p.read_bytes())
    return h.hexdigest()[:16]
