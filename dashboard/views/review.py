"""Review: the queue of unreviewed claims (keyboard: A accept, X reject, N next; several rows selected:
accept them at once), the decision log and reviews whose claim disappeared."""
import polars as pl
import streamlit as st

from dashboard import display, source, state, widgets

view = widgets.page("Review 审核")
settings = state.settings()
ss = st.session_state
st.caption(f"Decisions are kept in {source.md_escape(str(settings.reviews_db))}, an append-only log; the latest decision per claim "
           "applies, and it survives re-extraction. 审核记录只追加、不删除。")

queue, log, orphans = st.tabs(["Queue 待审核", "Decision log 审核日志", f"Orphaned 失效 ({view.orphans.height})"])
with queue:
    todo = state.filtered(view).filter(pl.col("review_status") == "unreviewed")
    ids = todo["claim_id"].to_list()
    st.caption(f"{todo.height:,} unreviewed claims under the current filters. Select a row to review it, several to accept "
               f"them together. Keys: A accept, X reject, N next. 待审核 {todo.height:,} 条；快捷键 A 确认、X 驳回、N 下一条。")
    selected = widgets.claims_table(todo, key=f"review_queue_{ss.get('review_round', 0)}", multi=True)
    if selected and selected != ss.get("_review_selected"):  # a new pick moves the cursor to it
        ss["review_cursor"] = next((c for c in selected if c not in (ss.get("_review_selected") or [])), selected[-1])
    ss["_review_selected"] = selected
    if len(selected) > 1:
        rows = todo.filter(pl.col("claim_id").is_in(selected))
        c1, c2 = st.columns([3, 2], vertical_alignment="bottom")
        c1.text_input("Note for all 批量备注", key="bulk_note")
        c2.button(f"Accept {len(selected)} selected 批量确认", key="bulk_accept", type="primary", on_click=widgets.bulk_accept,
                  args=(rows,))
    cursor = ss.get("review_cursor")
    if cursor not in ids:
        cursor = ids[0] if ids else None
    if cursor:
        widgets.source_panel(view, cursor, key="review", queue=ids)
    elif not ids:
        st.success("Nothing left to review under these filters. 当前筛选下没有待审核数据。")
with log:
    history = state.store(str(settings.reviews_db)).history()
    st.dataframe(widgets.decision_log(history.sort("decision_id", descending=True)).to_arrow(), hide_index=True, key="review_log")
    fixes = state.store(str(settings.reviews_db)).doc_fix_log()
    if fixes.height:
        st.caption("Document metadata fixes 元数据修正")
        st.dataframe(fixes.sort("fix_id", descending=True).select(
            display.local_times("created_at").alias("When 时间"), pl.col("reviewer").alias("Reviewer 审核人"),
            pl.col("doc_id").alias("Document 文档"), pl.col("field").alias("Field 字段"), pl.col("value").alias("New value 新值"),
            pl.col("note").alias("Note 备注")).to_arrow(), hide_index=True, key="fix_log")
with orphans:
    st.caption("Reviews whose claim is no longer extracted (the article or the rules changed). They are kept, "
               "never deleted, and apply again if the claim comes back. 对应数据已不存在的审核记录。")
    st.dataframe(widgets.orphan_log(view.orphans).to_arrow(), hide_index=True, key="orphans")
