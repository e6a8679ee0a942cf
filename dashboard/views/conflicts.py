"""Conflicts: claims from different articles about the same thing (entity, product, metric, period,
unit) that cannot all be true, given the ranges, qualifiers and precision they state, side by side with
how far apart they are, Alibaba's figure and each claim's verdict and review."""
import polars as pl
import streamlit as st

from dashboard import conflicts, source, state, widgets

MAX_GROUPS = 50
MAX_CARDS = 8

view = widgets.page("Conflicts 冲突")
# Groups are found across the whole table (a filter must not hide the other side of a conflict);
# the filters choose which groups to show: those with at least one claim in the filtered view.
everything = state.conflicts(view)
keys = everything.filter(state.shown_mask(view).gather(everything["row"]))["conflict_key"].unique()
groups = everything.filter(pl.col("conflict_key").is_in(keys.implode()))["conflict_key"].unique(maintain_order=True).to_list()
# Only the groups shown are gathered whole (a million claims may hold thousands of groups).
found = state.with_reasons(view, conflicts.with_groups(view.claims, everything.filter(pl.col("conflict_key").is_in(groups[:MAX_GROUPS]))))
st.caption(f"{len(groups)} group(s) of claims from different articles that disagree, widest disagreement first. Unknown "
           f"periods and rejected claims are not compared, and claims that all agree with Alibaba's figure within its "
           f"rounding are no conflict. 共 {len(groups)} 组不同文章间相互矛盾的数据。")
if len(groups) > MAX_GROUPS:
    st.caption(f"Showing the first {MAX_GROUPS}; narrow the filters to see others. 仅显示前 {MAX_GROUPS} 组。")
settings = state.settings()
encodings = dict(view.documents.select("doc_id", "encoding").iter_rows())

for n, key in enumerate(groups[:MAX_GROUPS]):
    g = found.filter(pl.col("conflict_key") == key).sort("value")
    first = g.row(0, named=True)
    with st.container(border=True, key=f"conflict_{n}"):
        st.html(source.text_html(" · ".join(x for x in (first["entity_label"], first["product"] and first["product_label"],
                                                       first["metric_label"], widgets.period_text(first["period"])) if x)))
        spread = f" ({first['spread']:.0%} of the largest)" if first["spread"] is not None else ""
        reported = g["reported_text"].drop_nulls().unique().to_list() if "reported_text" in g.columns else []
        why = g["verdict_reason"].drop_nulls().first() if "verdict_reason" in g.columns else None
        said = (f"Alibaba reported 阿里财报: {reported[0]} ({g['reported_source_label'].drop_nulls().first() or ''})"
                if reported else "No reported figure to settle it 无财报数据可核对" + (f" ({why})" if why else ""))
        st.html(source.text_html(f"Apart by 相差 {first['gap_text']}{spread}, across {first['n_docs']} articles 篇 · {said}"))
        if g.height > MAX_CARDS:  # the extremes tell the disagreement; the rest are a filter away on Claims
            st.caption(f"{g.height} claims in this group; showing the {MAX_CARDS // 2} lowest and highest. "
                       f"本组共 {g.height} 条，显示最低与最高各 {MAX_CARDS // 2} 条。")
            g = pl.concat([g.head(MAX_CARDS // 2), g.tail(MAX_CARDS // 2)])
        per_row = min(g.height, 4)  # two claims get half the card each: values and quotes stay readable at 1024 px
        for start in range(0, g.height, per_row):
            for col, c in zip(st.columns(per_row), g.slice(start, per_row).iter_rows(named=True)):
                with col:
                    st.metric(c["qualifier_label"], c["value_text"])
                    st.html(source.facts_html([("Verdict 核查", c.get("verdict_label") or "—"), ("Review 审核", c["review_label"])],
                                              size="1em"))
                    st.html(source.text_html(f"{c['publisher_label'] or '—'} · {c['published'] or 'undated 无日期'}"))
                    st.html(source.quote_html(c["quote_shown"] or "", source.number_as_written(c, settings.articles_dir, encodings.get(c["doc_id"]))))
                    st.button("Source & review 来源与审核", key=f"open_{key}_{c['claim_id']}",
                              on_click=st.session_state.__setitem__, args=("conflict_open", c["claim_id"]))
        if st.session_state.get("conflict_open") in g["claim_id"].to_list():
            widgets.source_panel(view, st.session_state["conflict_open"], key="conflicts")
