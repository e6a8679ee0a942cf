"""Claims explorer: every claim under the sidebar filters, evidence first; pick a row for its source;
export the view (the same file `cloudclaims export` writes with the same filters)."""
import datetime as dt

import streamlit as st

from dashboard import export, state, widgets

view = widgets.page("Claims 数据明细")
df = state.filtered(view)
st.caption(f"{df.height:,} of {view.claims.height:,} claims match the filters. 符合条件 {df.height:,} 条。")

stamp = dt.datetime.now().strftime("%Y%m%d-%H%M")
f = state.current_filters(view)
row = st.container(horizontal=True)  # buttons as wide as their labels
row.download_button("CSV (Excel)", data=lambda: export.to_csv_bytes(state.with_reasons(view, df)), file_name=export.file_name(f, stamp, "csv"),
                   mime="text/csv", key="export_csv", on_click="ignore", icon=":material/download:")
row.download_button("Parquet", data=lambda: export.to_parquet_bytes(state.with_reasons(view, df)), file_name=export.file_name(f, stamp, "parquet"),
                   mime="application/vnd.apache.parquet", key="export_parquet", on_click="ignore", icon=":material/download:")

picked = widgets.claims_table(df, key="claims_table")
if picked:
    widgets.source_panel(view, picked[0], key="claims")
