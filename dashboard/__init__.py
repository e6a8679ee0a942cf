"""The analyst dashboard: pure data and chart functions, a review store, and thin Streamlit pages."""
