"""Sources: every document with its metadata and where each field came from, its claims and errors;
fix a document's date or publisher; upload new articles."""
import polars as pl
import streamlit as st

from dashboard import source, state, uploads, widgets
from dashboard.reviews import ReviewStoreError

settings = state.settings()
view = state.load_view()
st.title("Sources 来源")

# ---- upload
with st.expander("Add articles 上传文章 (.txt / .md)", expanded=view is None):
    n = st.session_state.setdefault("upload_round", 0)  # a new key empties the uploader after a run
    files = st.file_uploader("Articles 文章", type=["txt", "md"], accept_multiple_files=True, key=f"upload_{n}",
                             max_upload_size=max(1, round(settings.upload_max_bytes / 1024 / 1024)))
    st.caption(f"At most {settings.upload_max_bytes / 1024 / 1024:g} MB each; stored under {source.md_escape(str(settings.uploads_dir))} "
               "and extracted at once. 上传后立即提取。")
    if files and st.button("Add and extract 添加并提取", key="upload_go", type="primary"):
        from extractors.run import batch

        with st.status("Extracting 正在提取…", expanded=True) as status:
            results = uploads.ingest([(f.name, f.getvalue()) for f in files], settings.claims, settings.uploads_dir,
                                     settings.upload_max_bytes, batch.extract)
            ok = [r for r in results if r.error is None]
            status.update(label=f"{len(ok)} of {len(results)} added 已添加", state="complete" if ok else "error")
        st.session_state["upload_results"] = [(r.name, str(r.path) if r.path else None, r.n_claims, r.error) for r in results]
        st.session_state["upload_round"] = n + 1
        st.rerun()
    for name, path, n_claims, error in st.session_state.get("upload_results", []):
        if error:
            st.error(source.md_escape(error))
        else:
            st.success(f"{source.md_escape(name)} → {source.md_escape(path)}: {n_claims} claims 条数据")

if view is None:
    st.stop()

# ---- documents
docs = view.documents.join(
    view.claims.group_by("doc_id").agg(pl.len().alias("claims_now")), on="doc_id", how="left", maintain_order="left"
).with_columns(pl.col("claims_now").fill_null(0))
errors = docs.filter(pl.col("error").is_not_null())
st.caption(f"{docs.height} documents, {errors.height} with ingest errors. 共 {docs.height} 篇，{errors.height} 篇读取失败。")
# what an analyst scans for first (title, outlet, date, claims, errors); the full path is in the panel below
cols = ["title", "publisher", "published", "claims_now", "error", "warnings", "file_name", "title_origin",
        "publisher_origin", "published_precision", "published_origin", "published_evidence", "encoding", "n_chars", "url",
        "doc_path"]
shown = docs.with_columns(source.safe_url_expr("url").alias("url"),  # no javascript: links
                          pl.col("doc_path").str.split("/").list.last().alias("file_name"))
event = st.dataframe(
    widgets.table_frame(shown, cols).to_arrow(),
    key="docs_table", on_select="rerun", selection_mode="single-row", hide_index=True,
    column_config={
        "file_name": "File 文件", "doc_path": "Path 路径", "title": "Title 标题", "title_origin": "from 来源", "publisher": "Publisher 媒体",
        "publisher_origin": "from 来源", "published": st.column_config.DateColumn("Published 发布日期", format="YYYY-MM-DD"),
        "published_precision": "precision 精度", "published_origin": "from 来源", "published_evidence": "Evidence 依据",
        "encoding": "Encoding 编码", "n_chars": "Characters 字数", "claims_now": "Claims 数据条数", "error": "Error 错误",
        "warnings": "Warnings 提示",
        "url": st.column_config.LinkColumn("URL 链接")},
)
rows = event["selection"]["rows"]
if rows:
    d = docs.row(rows[0], named=True)
    with st.container(border=True, key="doc_panel"):
        st.html(source.table_html([
            ("Title 标题", d["title"], d["title_origin"]), ("Publisher 媒体", d["publisher"], d["publisher_origin"]),
            ("Published 发布日期", str(d["published"] or "unknown 未知"), d["published_origin"]),
            ("Evidence 依据", d["published_evidence"], None), ("File 文件", d["doc_path"], d["doc_id"]),
            ("Error 错误", d["error"], None)]))
        if source.safe_url(d["url"]):
            st.link_button("Open the article 打开原文", source.safe_url(d["url"]))
        st.caption("Fix metadata 修正元数据: applied on the next load; periods relative to the date (今年, 上季度) are "
                   "re-resolved. 修正后重新解析相对期间。")
        c1, c2, c3 = st.columns(3)
        c1.text_input("Published 发布日期 (YYYY-MM-DD or YYYY-MM)", key="fix_published")
        c2.text_input("Publisher 媒体", key="fix_publisher")
        c3.text_input("Note 备注", key="fix_note")
        if st.button("Save fix 保存修正", key="fix_go"):
            store = state.store(str(settings.reviews_db))
            try:
                saved = 0
                for field in ("published", "publisher"):
                    value = (st.session_state.get(f"fix_{field}") or "").strip()
                    if value:
                        store.fix_document(d["doc_id"], field, value, st.session_state.get("reviewer") or "",
                                           st.session_state.get("fix_note") or "")
                        saved += 1
                if saved:
                    st.rerun()
                st.error("Enter a publication date or a publisher first. 请填写要修正的字段。")
            except ReviewStoreError as e:
                st.error(source.md_escape(str(e)))
