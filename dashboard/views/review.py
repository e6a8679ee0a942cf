"""Review: the queue of unreviewed claims, the decision log and reviews whose claim disappeared."""
import polars as pl
import streamlit as st

from dashboard import source, state, widgets

view = widgets.page("Review 审核")
settings = state.settings()
st.caption(f"Decisions are kept in {source.md_escape(str(settings.reviews_db))}, an append-only log; the latest decision per claim "
           "applies, and it survives re-extraction. 审核记录只追加、不删除。")

queue, log, orphans = st.tabs(["Queue 待审核", "Decision log 审核日志", f"Orphaned 失效 ({view.orphans.height})"])
with queue:
    todo = state.filtered(view).filter(pl.col("review_status") == "unreviewed")
    st.caption(f"{todo.height:,} unreviewed claims under the current filters. 待审核 {todo.height:,} 条。")
    picked = widgets.claims_table(todo, key="review_queue")
    if picked:
        widgets.source_panel(view, picked, key="review")
with log:
    history = state.store(str(settings.reviews_db)).history()
    st.dataframe(history.sort("decision_id", descending=True).drop("claim_snapshot").to_arrow(), hide_index=True, key="review_log")
    fixes = state.store(str(settings.reviews_db)).doc_fix_log()
    if fixes.height:
        st.caption("Document metadata fixes 元数据修正")
        st.dataframe(fixes.sort("fix_id", descending=True).to_arrow(), hide_index=True, key="fix_log")
with orphans:
    st.caption("Reviews whose claim is no longer extracted (the article or the rules changed). They are kept, "
               "never deleted, and apply again if the claim comes back. 对应数据已不存在的审核记录。")
    st.dataframe(view.orphans.to_arrow(), hide_index=True, key="orphans")
