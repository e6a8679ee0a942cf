"""Where the dashboard reads and writes: environment variables, with the repo's data/ as default."""
from __future__ import annotations

from pathlib import Path

import pytest

from dashboard.config import ROOT, settings

SETTINGS = [
    # (environment, attribute, expected)
    ({}, "claims", ROOT / "data/claims.parquet"),
    ({}, "reviews_db", ROOT / "data/reviews.sqlite"),
    ({}, "uploads_dir", ROOT / "data/articles/uploads"),
    ({}, "reference", ROOT / "data/reference/alibaba_cloud_reported.csv"),
    ({}, "upload_max_bytes", 10 * 1024 * 1024),
    ({"CLOUDCLAIMS_CLAIMS": "/srv/c.parquet"}, "claims", Path("/srv/c.parquet")),
    ({"CLOUDCLAIMS_ARTICLES_DIR": "/srv/a"}, "uploads_dir", Path("/srv/a/uploads")),
    ({"CLOUDCLAIMS_ARTICLES_DIR": "/srv/a", "CLOUDCLAIMS_UPLOADS_DIR": "/srv/u"}, "uploads_dir", Path("/srv/u")),
    ({"CLOUDCLAIMS_REVIEWS_DB": "r.sqlite"}, "reviews_db", Path.cwd() / "r.sqlite"),
    ({"CLOUDCLAIMS_UPLOAD_MAX_MB": "0.5"}, "upload_max_bytes", 512 * 1024),
]


@pytest.mark.parametrize("env,attr,expected", SETTINGS)
def test_settings(env, attr, expected):
    assert getattr(settings(env), attr) == expected


@pytest.mark.parametrize("raw,message", [("ten", "not a number"), ("0", "more than 0"), ("-3", "more than 0")])
def test_a_bad_upload_limit_is_named(raw, message):
    with pytest.raises(ValueError, match=f"CLOUDCLAIMS_UPLOAD_MAX_MB='{raw}'.*{message}"):
        settings({"CLOUDCLAIMS_UPLOAD_MAX_MB": raw})


def test_the_app_shows_no_stack_traces_and_listens_only_locally():
    import tomllib

    cfg = tomllib.loads((ROOT / ".streamlit" / "config.toml").read_text(encoding="utf-8"))
    assert cfg["client"]["showErrorDetails"] in ("type", "none")  # never "full"/"stacktrace": paths in tracebacks
    assert cfg["server"]["address"] == "127.0.0.1" and cfg["browser"]["gatherUsageStats"] is False
