"""Conflicts: claims about the same thing (entity, product, metric, period, unit) that cannot all be
true, given the ranges, qualifiers and precision they state. Shown side by side with their sources."""
import polars as pl
import streamlit as st

from dashboard import labels, source, state, widgets

MAX_GROUPS = 50
MAX_CARDS = 8

view = widgets.page("Conflicts 冲突")
# Groups are found across the whole table (a filter must not hide the other side of a conflict);
# the filters choose which groups to show: those with at least one claim in the filtered view.
everything = state.conflicts(view)
keys = everything.join(state.filtered(view).select("claim_id"), on="claim_id", how="semi")["conflict_key"]
found = everything.join(keys.unique().to_frame(), on="conflict_key", how="semi", maintain_order="left")
groups = found["conflict_key"].unique(maintain_order=True).to_list()
st.caption(f"{len(groups)} group(s) of disagreeing claims, widest disagreement first. Unknown periods and rejected "
           f"claims are not compared. 共 {len(groups)} 组相互矛盾的数据。")
if len(groups) > MAX_GROUPS:
    st.caption(f"Showing the first {MAX_GROUPS}; narrow the filters to see others. 仅显示前 {MAX_GROUPS} 组。")

for key in groups[:MAX_GROUPS]:
    g = found.filter(pl.col("conflict_key") == key).sort("value")
    first = g.row(0, named=True)
    if g.height > MAX_CARDS:  # the extremes tell the disagreement; the rest are a filter away on Claims
        st.caption(f"{g.height} claims in this group; showing the {MAX_CARDS // 2} lowest and highest. "
                   f"本组共 {g.height} 条，显示最低与最高各 {MAX_CARDS // 2} 条。")
        g = pl.concat([g.head(MAX_CARDS // 2), g.tail(MAX_CARDS // 2)])
    with st.container(border=True):
        st.html(source.text_html(" · ".join(x for x in (labels.label(labels.ENTITIES, first["entity"]), first["product"],
                                                       labels.label(labels.METRICS, first["metric"]), first["period"]) if x)))
        for start in range(0, g.height, 4):
            for col, c in zip(st.columns(4), g.slice(start, 4).iter_rows(named=True)):
                with col:
                    st.metric(labels.label(labels.QUALIFIERS, c["qualifier"] or "exact"), c["value_text"])
                    st.html(source.text_html(f"{c['publisher'] or '—'} · {c['published'] or 'undated 无日期'}"))
                    st.html(source.quote_html(c["quote"] or "", ""))
                    st.button("Source & review 来源与审核", key=f"open_{key}_{c['claim_id']}",
                              on_click=st.session_state.__setitem__, args=("conflict_open", c["claim_id"]))
        if st.session_state.get("conflict_open") in g["claim_id"].to_list():
            widgets.source_panel(view, st.session_state["conflict_open"], key="conflicts")
