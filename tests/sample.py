"""A test fixture: a tiny corpus with hand-made claims (exact spans, simplified and traditional script,
one hostile article). The synthetic table of any size for benchmarks is bench/synthetic.py."""
from __future__ import annotations

import datetime as dt
import hashlib
from pathlib import Path

import polars as pl

from extractors.calendar import period_bounds
from extractors.table import CLAIM_SCHEMA, DOCUMENT_SCHEMA, claim_id

# A frozen reference (the shipped one as it was at 67a091d): tests of verdict behaviour read this, not data/reference/.
REFERENCE = Path(__file__).resolve().parent / "fixtures" / "reference" / "alibaba_cloud_reported.csv"

ARTICLES = {
    "geek_2022.md": (
        "---\ntitle: 对话张建锋：阿里云重上「卡门线」\nsource: 极客公园\ndate: 2022-11-03\n"
        "url: https://www.geekpark.net/news/1\n---\n\n"
        "回到这句话诞生的时刻。到2022年，阿里云的年营收已突破千亿，成为亚洲最大的云服务商。\n"
    ),
    "zhidx_2023.md": (
        "---\ntitle: 阿里雲通義千問開源\nsource: 智東西\ndate: 2023-08-03\n"
        "url: https://zhidx.com/p/2\n---\n\n"
        "2022年阿里云全年營收775.9億元。阿里云核心產品價格全線下調15%至50%，存儲產品最高降幅達50%。\n"
        "2023年第一季度，阿里云收入185.82億元，同比下滑2%，營收增長接近0%。\n"
    ),
    "leiphone_2024.md": (
        "---\ntitle: 阿里云的价格战\nsource: 雷峰网\ndate: 2024-09-20\n"
        "url: https://www.leiphone.com/3\n---\n\n"
        "阿里云在最新季报中营收增长6%，经调利润同比增长155%。2024年2月，阿里云平均降价超20%，最高超过50%。\n"
        "5月，Qwen-Long的API输入价格降至0.0005元/千tokens，直降97%。9月，Qwen-Turbo价格直降85%。\n"
    ),
    "undated_blog.txt": (  # no front matter: no date, no publisher; hostile text must show literally
        "阿里云2024年第二季度营收增长=HYPERLINK(\"http://evil\")<script>alert(1)</script>约7%，"
        "<img src=x onerror=alert(2)>市场份额超30%。\n"
    ),
}

# (file, number as written, quote, metric, entity, product, value, value_high, unit, qualifier, period)
CLAIMS = [
    ("geek_2022.md", "突破千亿", "到2022年，阿里云的年营收已突破千亿，成为亚洲最大的云服务商。", "revenue", "alibaba_cloud", None, 1e11, None, "CNY", "over", "2022"),
    ("zhidx_2023.md", "775.9億元", "2022年阿里云全年營收775.9億元。", "revenue", "alibaba_cloud", None, 7.759e10, None, "CNY", "exact", "2022"),
    ("zhidx_2023.md", "15%至50%", "阿里云核心產品價格全線下調15%至50%，存儲產品最高降幅達50%。", "price_cut", "alibaba_cloud", None, 15.0, 50.0, "%", "exact", "2023-04"),
    ("zhidx_2023.md", "185.82億元", "2023年第一季度，阿里云收入185.82億元，同比下滑2%，營收增長接近0%。", "revenue", "alibaba_cloud", None, 1.8582e10, None, "CNY", "exact", "2023Q1"),
    ("zhidx_2023.md", "下滑2%", "2023年第一季度，阿里云收入185.82億元，同比下滑2%，營收增長接近0%。", "revenue_growth", "alibaba_cloud", None, -2.0, None, "%", "exact", "2023Q1"),
    ("zhidx_2023.md", "接近0%", "2023年第一季度，阿里云收入185.82億元，同比下滑2%，營收增長接近0%。", "revenue_growth", "alibaba_cloud", None, 0.0, None, "%", "approx", None),
    ("leiphone_2024.md", "增长6%", "阿里云在最新季报中营收增长6%，经调利润同比增长155%。", "revenue_growth", "alibaba_cloud", None, 6.0, None, "%", "exact", "2024Q2"),
    ("leiphone_2024.md", "增长155%", "阿里云在最新季报中营收增长6%，经调利润同比增长155%。", "adjusted_ebita_growth", "alibaba_cloud", None, 155.0, None, "%", "exact", "2024Q2"),
    ("leiphone_2024.md", "超20%", "2024年2月，阿里云平均降价超20%，最高超过50%。", "price_cut", "alibaba_cloud", None, 20.0, None, "%", "average", "2024-02"),
    ("leiphone_2024.md", "0.0005元/千tokens", "5月，Qwen-Long的API输入价格降至0.0005元/千tokens，直降97%。", "token_price", "alibaba_cloud", "qwen-long", 0.5, None, "CNY/1M tokens", "exact", "2024-05"),
    ("leiphone_2024.md", "直降97%", "5月，Qwen-Long的API输入价格降至0.0005元/千tokens，直降97%。", "price_cut", "alibaba_cloud", "qwen-long", 97.0, None, "%", "exact", "2024-05"),
    ("leiphone_2024.md", "直降85%", "9月，Qwen-Turbo价格直降85%。", "price_cut", "alibaba_cloud", "qwen-turbo", 85.0, None, "%", "exact", "2024-09"),
    ("undated_blog.txt", "约7%", "阿里云2024年第二季度营收增长=HYPERLINK(\"http://evil\")<script>alert(1)</script>约7%，", "revenue_growth", "alibaba_cloud", None, 7.0, None, "%", "approx", "2024Q2"),
    ("undated_blog.txt", "超30%", "<img src=x onerror=alert(2)>市场份额超30%。", "market_share", "alibaba_cloud", None, 30.0, None, "%", "over", None),
]
META = {  # publisher, published, title, url
    "geek_2022.md": ("极客公园", dt.date(2022, 11, 3), "对话张建锋：阿里云重上「卡门线」", "https://www.geekpark.net/news/1"),
    "zhidx_2023.md": ("智東西", dt.date(2023, 8, 3), "阿里雲通義千問開源", "https://zhidx.com/p/2"),
    "leiphone_2024.md": ("雷峰网", dt.date(2024, 9, 20), "阿里云的价格战", "https://www.leiphone.com/3"),
    "undated_blog.txt": (None, None, None, None),
}


def write_sample_corpus(folder: Path) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Write the sample articles into folder; return (claims, documents) whose spans index them."""
    folder.mkdir(parents=True, exist_ok=True)
    docs, claims = [], []
    for name, text in ARTICLES.items():
        path = folder / name
        raw = text.encode("utf-8")
        path.write_bytes(raw)
        doc_id = hashlib.sha256(raw).hexdigest()[:16]
        publisher, published, title, url = META[name]
        origin = "front_matter" if published else "unknown"
        rows = [c for c in CLAIMS if c[0] == name]
        docs.append({"doc_id": doc_id, "doc_path": str(path), "title": title, "title_origin": origin,
                     "publisher": publisher, "publisher_origin": origin, "url": url, "published": published,
                     "published_precision": "day" if published else None, "published_origin": origin,
                     "published_evidence": f"date: {published}" if published else None, "encoding": "utf-8",
                     "n_chars": len(text), "n_claims": len(rows), "error": None})
        for _, number, quote, metric, entity, product, value, high, unit, qualifier, period in rows:
            q = text.index(quote)
            start = text.index(number, q)
            bounds = period_bounds(period) if period else (None, None)
            claims.append({
                "claim_id": claim_id(doc_id, start, start + len(number), entity, product, metric),
                "doc_id": doc_id, "doc_path": str(path), "title": title, "publisher": publisher, "url": url,
                "published": published, "published_precision": "day" if published else None,
                "published_origin": origin, "entity": entity, "product": product, "metric": metric,
                "value": value, "value_high": high, "unit": unit, "qualifier": qualifier, "period": period,
                "period_start": bounds[0], "period_end": bounds[1],
                "period_origin": "text" if period else "unknown", "cited_source": None, "quote": quote,
                "span_start": start, "span_end": start + len(number), "rule_id": "sample",
                "extractor_version": "sample",
            })
    return pl.DataFrame(claims, schema=CLAIM_SCHEMA), pl.DataFrame(docs, schema=DOCUMENT_SCHEMA)
