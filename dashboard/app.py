"""cloudclaims dashboard: `streamlit run dashboard/app.py` (see `make run`).

Sets up navigation, the session (filters from the URL, kept in session_state and written back to the
URL, so a link reproduces the view) and the sidebar filters shared by every page; each page is a thin
script under views/ that reads the effective table through dashboard.state.
"""
from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:  # `streamlit run dashboard/app.py` puts dashboard/ on the path, not the repo
    sys.path.insert(0, str(ROOT))

import streamlit as st  # noqa: E402

from dashboard import source, state, widgets  # noqa: E402


def main() -> None:
    # An emoji icon becomes a data: URL in the browser; a :material/...: page icon would make the browser
    # fetch the favicon from fonts.gstatic.com, and nothing may leave the machine.
    st.set_page_config(page_title="cloudclaims 阿里云数据核查", page_icon="☁️", layout="wide")
    # One download path per chart: the PNG/SVG buttons under it (title, source line, date of export), so
    # the chart toolbar's own PNG download is hidden. Our markup, no data in it.
    st.html("<style>.stElementContainer:has([data-testid='stVegaLiteChart']) [data-testid='stElementToolbar'] "
            "button[aria-label='Download as PNG'] { display: none; }</style>")
    pages = [
        st.Page("views/trends.py", title="Trends 趋势", url_path="trends"),
        st.Page("views/claims.py", title="Claims 数据明细", url_path="claims"),
        st.Page("views/conflicts.py", title="Conflicts 冲突", url_path="conflicts"),
        st.Page("views/factcheck.py", title="Fact-check 核查", url_path="factcheck"),
        st.Page("views/review.py", title="Review 审核", url_path="review"),
        st.Page("views/sources.py", title="Sources 来源", url_path="sources"),
    ]
    def open_trends() -> None:
        """The app's root URL opens Trends under its own path, keeping the link's filters."""
        st.switch_page(pages[0], query_params=[(k, v) for k in st.query_params for v in st.query_params.get_all(k)])

    # The default page always has the root URL; with Trends as default, /trends would be "Page not found".
    home = st.Page(open_trends, title="cloudclaims", url_path="home", default=True, visibility="hidden")
    page = st.navigation([home, *pages])
    if page is home:
        page.run()

    view = state.load_view()
    state.start_session(view)
    state.sync_url(view, page.url_path)
    if view is None:
        s = state.settings()
        st.title("cloudclaims")
        if Path(s.claims).exists():  # there, but unreadable: load_view has said which file and why
            st.stop()
        st.info(f"No claims table at {source.md_escape(str(s.claims))} yet. Run `make extract` (or cloudclaims extract "
                f"with --out {source.md_escape(str(s.claims))}), "
                "or add articles on the Sources page. 尚无数据表。")
        if page.url_path != "sources":
            st.stop()
    else:
        widgets.sidebar(view)
    page.run()


# Only when Streamlit runs this file: a worker process that re-imports the main module (multiprocessing's
# spawn, as __mp_main__) must not start the app.
if __name__ == "__main__":
    main()
