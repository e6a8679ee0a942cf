#!/usr/bin/env python3
"""Validate the cloudclaims held-out set (docs/*.txt + gold.yaml).

Errors (exit code 1): schema violations, quotes that are not exact substrings
of the document body, bad units/periods, duplicates, malformed documents.
Warnings: heuristic checks (the value cannot be re-derived from the quote,
price cuts with a positive sign, ...). Run: python3 validate.py
"""
import os
import re
import sys
import unicodedata

import yaml

HERE = os.path.dirname(os.path.abspath(__file__))
DOCS = os.path.join(HERE, "docs")
GOLD = os.path.join(HERE, "gold.yaml")

ENTITIES = {"alibaba_cloud", "alibaba_group", "aws", "azure", "google_cloud",
            "huawei_cloud", "tencent_cloud", "baidu_cloud",
            "china_public_cloud_market", "global_cloud_market"}
PRODUCTS = {"qwen", "qwen-long", "qwen-turbo", "qwen-plus", "qwen-max",
            "public_cloud_iaas", "public_cloud_paas", "external_revenue",
            "internal_revenue", "ai_cloud", "education", "storage"}
METRICS = {"revenue", "revenue_growth", "market_share", "price_cut",
           "token_price", "adjusted_ebita", "adjusted_ebita_growth"}
QUALIFIERS = {"exact", "approx", "over", "under", "up_to", "as_low_as",
              "at_least", "average"}
UNITS_FOR_METRIC = {
    "revenue": {"CNY", "USD"},
    "adjusted_ebita": {"CNY"},
    "revenue_growth": {"%"},
    "market_share": {"%"},
    "price_cut": {"%"},
    "adjusted_ebita_growth": {"%"},
    "token_price": {"CNY/1M tokens"},
}
KEYS = {"doc", "entity", "product", "metric", "value", "value_high",
        "qualifier", "unit", "period", "quote", "note"}
REQUIRED = {"doc", "entity", "metric", "value", "unit", "period", "quote"}
PERIOD_RE = re.compile(
    r"^(\d{4}|\d{4}H[12]|\d{4}Q[1-4]|FY\d{4}|\d{4}-(0[1-9]|1[0-2])|unknown)$")
DOCNAME_RE = re.compile(r"^\d{2}-[a-z0-9][a-z0-9-]*\.txt$")
QWEN_PRODUCTS = {"qwen", "qwen-long", "qwen-turbo", "qwen-plus", "qwen-max"}

errors, warnings = [], []


def err(msg):
    errors.append(msg)


def warn(msg):
    warnings.append(msg)


def is_number(x):
    return isinstance(x, (int, float)) and not isinstance(x, bool)


def split_doc(path):
    """Return (front_matter_dict, body) or raise ValueError."""
    with open(path, encoding="utf-8") as f:
        text = f.read()
    if not text.startswith("---\n"):
        raise ValueError("does not start with a '---' front matter line")
    end = text.find("\n---\n", 4)
    if end < 0:
        raise ValueError("front matter is not closed by a '---' line")
    fm = yaml.safe_load(text[4:end]) or {}
    body = text[end + len("\n---\n"):]
    return fm, body


def cjk_count(s):
    return sum(1 for ch in s if "\u4e00" <= ch <= "\u9fff"
               or "\u3400" <= ch <= "\u4dbf")


CN_TENTHS = {"一": 10, "二": 20, "两": 20, "三": 30, "四": 40, "五": 50,
             "六": 60, "七": 70, "八": 80, "九": 90}


def numbers_in(quote):
    """Numbers written in the quote (full-width folded, thousands commas
    removed), plus 'N成' style tenths."""
    q = unicodedata.normalize("NFKC", quote)
    q = re.sub(r"(?<=\d),(?=\d{3})", "", q)
    nums = [float(m) for m in re.findall(r"\d+(?:\.\d+)?", q)]
    for m in re.finditer(r"([一二两三四五六七八九])成", q):
        nums.append(float(CN_TENTHS[m.group(1)]))
    if "百亿" in q:
        nums.append(100.0)  # 百亿 (x 1e8 below)
    return q, nums


def value_derivable(item, quote):
    """Heuristic: can the labelled value be re-derived from the quote?"""
    unit = item["unit"]
    vals = [item["value"]] + ([item["value_high"]] if "value_high" in item else [])
    q, nums = numbers_in(quote)
    if not nums:
        return False

    def close(a, b):
        return abs(a - b) <= 1e-6 * max(1.0, abs(b))

    for v in vals:
        ok = False
        for n in nums:
            if unit in ("CNY", "USD"):
                for mult in (1e8, 1e4, 1e9, 1e12, 1e6, 1.0):
                    if close(n * mult, abs(v)):
                        ok = True
            elif unit == "%":
                if close(n, abs(v)):
                    ok = True
            elif unit == "CNY/1M tokens":
                for mult in (1000.0, 1.0):
                    if close(n * mult, v):
                        ok = True
        if not ok:
            return False
    return True


def main():
    # ---- documents ----
    bodies = {}
    names = sorted(n for n in os.listdir(DOCS) if not n.startswith("."))
    for name in names:
        path = os.path.join(DOCS, name)
        if not DOCNAME_RE.match(name):
            err(f"{name}: file name is not NN-short-slug.txt")
        try:
            fm, body = split_doc(path)
        except Exception as e:  # noqa: BLE001
            err(f"{name}: {e}")
            continue
        if not isinstance(fm, dict) or not fm.get("url"):
            err(f"{name}: front matter lacks url")
        else:
            if not re.match(r"^https?://[^\s/]+\.[^\s/]+/", str(fm["url"])):
                err(f"{name}: url does not look like a URL: {fm['url']}")
            extra = set(fm) - {"url", "title", "date"}
            if extra:
                err(f"{name}: unexpected front matter keys {sorted(extra)}")
            if "date" in fm:
                d = str(fm["date"])
                if not re.match(r"^\d{4}-\d{2}(-\d{2})?$", d):
                    err(f"{name}: bad date {d!r}")
        n = cjk_count(body)
        if not 400 <= n <= 1500:
            err(f"{name}: body has {n} Chinese characters (want 400-1500)")
        bodies[name] = body

    # ---- gold ----
    with open(GOLD, encoding="utf-8") as f:
        gold = yaml.safe_load(f)
    if not isinstance(gold, list):
        err("gold.yaml is not a YAML list")
        gold = []
    seen = {}
    per_doc = {n: 0 for n in bodies}
    for i, it in enumerate(gold):
        where = f"item {i + 1}"
        if not isinstance(it, dict):
            err(f"{where}: not a mapping")
            continue
        where = f"item {i + 1} ({it.get('doc')}, {it.get('entity')}, {it.get('metric')})"
        missing = REQUIRED - set(it)
        if missing:
            err(f"{where}: missing {sorted(missing)}")
            continue
        extra = set(it) - KEYS
        if extra:
            err(f"{where}: unknown keys {sorted(extra)}")
        doc = it["doc"]
        if doc not in bodies:
            err(f"{where}: doc {doc!r} not found in docs/")
        else:
            per_doc[doc] += 1
        if it["entity"] not in ENTITIES:
            err(f"{where}: bad entity {it['entity']!r}")
        if "product" in it and it["product"] not in PRODUCTS:
            err(f"{where}: bad product {it['product']!r}")
        if it["metric"] not in METRICS:
            err(f"{where}: bad metric {it['metric']!r}")
        if "qualifier" in it and it["qualifier"] not in QUALIFIERS:
            err(f"{where}: bad qualifier {it['qualifier']!r}")
        if not is_number(it["value"]):
            err(f"{where}: value {it['value']!r} is not a number")
        if "value_high" in it:
            if not is_number(it["value_high"]):
                err(f"{where}: value_high is not a number")
            elif is_number(it["value"]) and not it["value_high"] > it["value"]:
                err(f"{where}: value_high {it['value_high']} <= value {it['value']}")
        if it["metric"] in UNITS_FOR_METRIC and it["unit"] not in UNITS_FOR_METRIC[it["metric"]]:
            err(f"{where}: unit {it['unit']!r} does not fit metric {it['metric']}")
        if not isinstance(it["period"], str) or not PERIOD_RE.match(it["period"]):
            err(f"{where}: bad period {it['period']!r} (quote it in YAML)")
        quote = it["quote"]
        if not isinstance(quote, str) or not quote:
            err(f"{where}: empty quote")
            continue
        if doc in bodies and quote not in bodies[doc]:
            err(f"{where}: quote not found verbatim in body: {quote!r}")
        if not re.search(r"[0-9０-９]|[一二两三四五六七八九]成|百亿", quote):
            err(f"{where}: quote contains no number: {quote!r}")
        # heuristics
        if is_number(it["value"]) and not value_derivable(it, quote):
            warn(f"{where}: value {it['value']} not derivable from quote {quote!r}")
        if it["metric"] == "price_cut" and is_number(it["value"]) and it["value"] > 0:
            warn(f"{where}: price_cut with positive value")
        if it["metric"] == "market_share" and is_number(it["value"]) and not 0 < it["value"] <= 100:
            err(f"{where}: market share out of range")
        if it.get("product") in QWEN_PRODUCTS and it["entity"] != "alibaba_cloud":
            err(f"{where}: Qwen product on entity {it['entity']}")
        if it["metric"] == "token_price" and it["period"] not in ("unknown",) \
                and not re.match(r"^\d{4}-\d{2}$", it["period"]):
            warn(f"{where}: token price with non-month period {it['period']}")
        if it["metric"] == "price_cut" and not re.match(r"^\d{4}-\d{2}$", it["period"]) \
                and it["period"] != "unknown":
            warn(f"{where}: price cut with non-month period {it['period']}")
        if it.get("qualifier") == "exact":
            warn(f"{where}: qualifier exact should be omitted")
        key = (doc, it["entity"], it.get("product"), it["metric"],
               it["value"], it.get("value_high"), it["period"], it.get("qualifier"))
        if key in seen:
            err(f"{where}: duplicate of item {seen[key]}")
        else:
            seen[key] = i + 1

    for w in warnings:
        print("WARN ", w)
    for e in errors:
        print("ERROR", e)
    from collections import Counter
    print(f"\n{len(bodies)} documents, {len(gold)} items, "
          f"{sum(1 for v in per_doc.values() if v == 0)} documents without items")
    print("per metric:", dict(Counter(it.get("metric") for it in gold if isinstance(it, dict))))
    print("per entity:", dict(Counter(it.get("entity") for it in gold if isinstance(it, dict))))
    print(f"{len(errors)} errors, {len(warnings)} warnings")
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
