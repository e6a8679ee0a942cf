"""Bilingual labels and human units: one place, so tables, charts and exports say the same thing."""
from __future__ import annotations

METRICS = {
    "revenue": "Revenue 营收",
    "revenue_growth": "Revenue growth 营收增速",
    "market_share": "Market share 市场份额",
    "price_cut": "Price cut 降价幅度",
    "token_price": "Token price 模型调用价格",
    "adjusted_ebita": "Adjusted EBITA 经调整EBITA",
    "adjusted_ebita_growth": "Adjusted EBITA growth 经调整EBITA增速",
    # extended metrics the rules also find
    "cost_decline": "Cost decline 成本降幅",
    "customers": "Customers 客户数",
    "derivative_models": "Derivative models 衍生模型数",
    "market_size": "Market size 市场规模",
    "model_downloads": "Model downloads 模型下载量",
}

ENTITIES = {
    "alibaba_cloud": "Alibaba Cloud 阿里云",
    "alibaba_group": "Alibaba Group 阿里巴巴集团",
    "aws": "AWS 亚马逊云",
    "azure": "Azure 微软云",
    "google_cloud": "Google Cloud 谷歌云",
    "huawei_cloud": "Huawei Cloud 华为云",
    "tencent_cloud": "Tencent Cloud 腾讯云",
    "baidu_ai_cloud": "Baidu AI Cloud 百度智能云",
    "china_public_cloud_market": "China public cloud market 中国公有云市场",
    "global_cloud_market": "Global cloud market 全球云市场",
}

QUALIFIERS = {
    "exact": "exact 确数",
    "approx": "approx 约",
    "over": "over 超过",
    "at_least": "at least 至少",
    "under": "under 不足",
    "up_to": "up to 最高",
    "as_low_as": "as low as 低至",
    "average": "average 平均",
}

REVIEW_STATUSES = {
    "unreviewed": "unreviewed 未审核",
    "accepted": "accepted 已确认",
    "corrected": "corrected 已更正",
    "rejected": "rejected 已驳回",
}

VERDICTS = {
    "consistent": "consistent 一致",
    "inconsistent": "inconsistent 不一致",
    "unverifiable": "unverifiable 无法核实",
}

# unit -> (divisor from canonical to human, human unit label). Money is shown in 亿 (1e8).
HUMAN_UNITS = {
    "CNY": (1e8, "亿元"),
    "USD": (1e8, "亿美元"),
    "%": (1.0, "%"),
    "CNY/1M tokens": (1.0, "元/百万tokens"),
    "count": (1.0, "count 个"),
}

# Column headers shown in tables (the exported files keep the canonical column names).
COLUMNS = {
    "published": "Published 发布日期",
    "publisher": "Publisher 媒体",
    "title": "Title 标题",
    "metric_label": "Metric 指标",
    "entity_label": "Entity 主体",
    "product": "Product 产品",
    "value_text": "Value 数值",
    "qualifier_label": "Qualifier 限定",
    "period": "Period 期间",
    "period_origin": "Period from 期间来源",
    "review_status": "Review 审核",
    "verdict": "Verdict 核查",
    "quote": "Quote 原句",
    "url": "URL 链接",
    "doc_path": "File 文件",
}


def label(mapping: dict[str, str], key: str | None) -> str:
    """The bilingual label, or the raw id when none is known (never hide an unexpected value)."""
    if key is None:
        return "—"
    return mapping.get(key, key)


def human_unit(unit: str | None) -> str:
    return HUMAN_UNITS.get(unit or "", (1.0, unit or ""))[1]


def to_human(value: float | None, unit: str | None) -> float | None:
    """Canonical -> shown: 77590000000 CNY -> 775.9 (亿元)."""
    if value is None:
        return None
    return value / HUMAN_UNITS.get(unit or "", (1.0, ""))[0]


def to_canonical(value: float | None, unit: str | None) -> float | None:
    """Shown -> canonical: 775.9 (亿元) -> 77590000000 CNY."""
    if value is None:
        return None
    return value * HUMAN_UNITS.get(unit or "", (1.0, ""))[0]
