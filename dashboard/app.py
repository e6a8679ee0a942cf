"""cloudclaims dashboard: `streamlit run dashboard/app.py` (see `make run`).

Sets up navigation and the sidebar filters shared by every page; each page is a thin script
under views/ that reads the effective table through dashboard.state.
"""
from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:  # `streamlit run dashboard/app.py` puts dashboard/ on the path, not the repo
    sys.path.insert(0, str(ROOT))

import streamlit as st  # noqa: E402

from dashboard import source, state, widgets  # noqa: E402

st.set_page_config(page_title="cloudclaims 阿里云数据核查", layout="wide")

PAGES = [
    st.Page("views/trends.py", title="Trends 趋势", icon=":material/show_chart:", url_path="trends", default=True),
    st.Page("views/claims.py", title="Claims 数据明细", icon=":material/table:", url_path="claims"),
    st.Page("views/conflicts.py", title="Conflicts 冲突", icon=":material/compare_arrows:", url_path="conflicts"),
    st.Page("views/factcheck.py", title="Fact-check 核查", icon=":material/fact_check:", url_path="factcheck"),
    st.Page("views/review.py", title="Review 审核", icon=":material/rate_review:", url_path="review"),
    st.Page("views/sources.py", title="Sources 来源", icon=":material/article:", url_path="sources"),
]
page = st.navigation(PAGES)

view = state.load_view()
if view is None:
    s = state.settings()
    st.title("cloudclaims")
    st.info(f"No claims table at {source.md_escape(str(s.claims))} yet. Run `make extract` (or cloudclaims extract "
            f"with --out {source.md_escape(str(s.claims))}), "
            "or add articles on the Sources page. 尚无数据表。")
    if page.url_path != "sources":
        st.stop()
else:
    widgets.sidebar(view)
page.run()
