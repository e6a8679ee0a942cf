"""Where the dashboard reads and writes, from environment variables (tests point them at tmp dirs)."""
from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]  # the repo: defaults do not depend on the working directory


@dataclass(frozen=True)
class Settings:
    claims: Path  # the claims table written by `cloudclaims extract`; documents sit beside it
    reviews_db: Path
    articles_dir: Path
    uploads_dir: Path
    reference: Path
    upload_max_bytes: int


def _path(env, name: str, default: Path) -> Path:
    """A value given in the environment is taken like any shell path (relative to the working directory)."""
    raw = env.get(name)
    return Path(raw).resolve() if raw else default


def settings(env=None) -> Settings:
    env = os.environ if env is None else env
    articles = _path(env, "CLOUDCLAIMS_ARTICLES_DIR", ROOT / "data/articles")
    raw_mb = env.get("CLOUDCLAIMS_UPLOAD_MAX_MB", "10")
    try:
        max_mb = float(raw_mb)
    except ValueError:
        raise ValueError(f"CLOUDCLAIMS_UPLOAD_MAX_MB={raw_mb!r}: not a number of megabytes") from None
    if not 0 < max_mb < float("inf"):  # also refuses nan, which compares false with everything
        raise ValueError(f"CLOUDCLAIMS_UPLOAD_MAX_MB={raw_mb!r}: must be a finite number more than 0")
    return Settings(
        claims=_path(env, "CLOUDCLAIMS_CLAIMS", ROOT / "data/claims.parquet"),
        reviews_db=_path(env, "CLOUDCLAIMS_REVIEWS_DB", ROOT / "data/reviews.sqlite"),
        articles_dir=articles,
        uploads_dir=_path(env, "CLOUDCLAIMS_UPLOADS_DIR", articles / "uploads"),
        reference=_path(env, "CLOUDCLAIMS_REFERENCE", ROOT / "data/reference/alibaba_cloud_reported.csv"),
        upload_max_bytes=int(max_mb * 1024 * 1024),
    )
