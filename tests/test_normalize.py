"""extractors.text.normalize, one case per line: what the text becomes, and where its pieces came from.

TEXT cases: (raw, normalized text). Every kept paragraph ends in one \\n.
SPANS cases: (raw, a piece of the normalized text, the original text it must map back to): the offset map
is what lets every claim quote the article as written, so these are checked char for char.
DROPPED cases: (raw, normalized text, number of lines dropped as portal chrome or repeats).
"""
from __future__ import annotations

import pytest

from extractors.text import normalize

P = "阿里云在本季度的营收同比增长了6%"  # a paragraph long enough (>= 12 chars) to count as a repeat
Q = "阿里雲在本季度的營收同比增長了6%"  # the same paragraph in traditional script

TEXT = [
    # traditional -> simplified
    ("阿里雲營收", "阿里云营收\n"),
    ("亞馬遜AWS、微軟智能雲", "亚马逊AWS、微软智能云\n"),
    ("兩萬億元", "两万亿元\n"),
    ("財報顯示經調整EBITA利潤增長", "财报显示经调整EBITA利润增长\n"),
    ("阿里雲智能集團第二季度收入為265.49億元人民幣，同比增長6%。", "阿里云智能集团第二季度收入为265.49亿元人民币,同比增长6%。\n"),
    ("據IDC數據顯示，2023年上半年中國公有雲市場規模達到190.1億美元。", "据IDC数据显示,2023年上半年中国公有云市场规模达到190.1亿美元。\n"),
    ("雲棲大會於9月19日在杭州開幕", "云栖大会于9月19日在杭州开幕\n"),
    # mixed scripts in one sentence
    ("阿里云營收增長６％，騰訊雲增長３％", "阿里云营收增长6%,腾讯云增长3%\n"),
    ("通義千問（Qwen）開源模型下載量突破4000萬次", "通义千问(Qwen)开源模型下载量突破4000万次\n"),
    ("阿里巴巴（BABA.US）股價上漲3%", "阿里巴巴(BABA.US)股价上涨3%\n"),
    # full-width to half-width, ideographic and no-break spaces
    ("增长６％，", "增长6%,\n"),
    ("收入１８５．８２亿元（２７．０６亿美元）", "收入185.82亿元(27.06亿美元)\n"),
    ("ＡＷＳ：增长", "AWS:增长\n"),
    ("营收\u3000增长", "营收增长\n"),  # a lone space between Han characters is typesetting: it goes
    ("营收\u00a0增长", "营收增长\n"),
    # NFKC that changes the length
    ("营收……增长", "营收......增长\n"),
    ("①营收增长", "1营收增长\n"),
    ("e\u0301", "\u00e9\n"),
    ("面积100㎡", "面积100m2\n"),
    # bracketed pinyin removed, real brackets kept
    ("號(hào)", "号\n"),
    ("財(cái)年", "财年\n"),
    ("億(yì)元", "亿元\n"),
    ("點(diǎn)的", "点的\n"),
    ("收入185.82億元(27.06億美元)", "收入185.82亿元(27.06亿美元)\n"),
    ("公有云(IaaS)", "公有云(IaaS)\n"),
    ("Qwen(max)", "Qwen(max)\n"),
    # mojibake repaired
    ("年?duì)I收百億美元", "年营收百亿美元\n"),
    # line endings: CRLF, a last line without newline, blank lines kept as they are
    ("营收增长6%\r\n利润增长8%", "营收增长6%\n利润增长8%\n"),
    ("营收增长６％\r\n利润增长８％", "营收增长6%\n利润增长8%\n"),  # full-width beside CRLF
    ("营收增长６％\r利润增长８％", "营收增长6%\n利润增长8%\n"),  # and beside a lone CR
    ("营收\r\r\n增长", "营收\n\n增长\n"),  # a lone CR, then CRLF
    ("营收\r\r增长", "营收\n\n增长\n"),
    ("第一行\n\n第二行", "第一行\n\n第二行\n"),
    ("", ""),
    # portal chrome dropped (simplified and traditional)
    ("展开\n营收增长6%", "营收增长6%\n"),
    ("打开APP\n营收增长6%", "营收增长6%\n"),
    ("圖源:pexels\n營收增長6%", "营收增长6%\n"),
    ("點擊圖片可放大\n營收增長6%", "营收增长6%\n"),
    ("![cover_image](https://mmbiz.qpic.cn/a.jpeg)\n营收增长6%", "营收增长6%\n"),
    ("特別聲明:以上內容(如有圖片或視頻亦包括在內)為自媒體平臺“網易號”用戶上傳\n營收增長6%", "营收增长6%\n"),
    ("网易首页 > 网易号 > 正文 申请入驻\n营收增长6%", "营收增长6%\n"),
    # the trailing related-news block, numbers and all, is cut
    ("营收增长6%\n相关推荐\n男子给小35岁情人转1340万\n曼城2-0那不勒斯", "营收增长6%\n"),
    ("营收增长6%\n相關推薦\n男子轉1340萬", "营收增长6%\n"),
    # repeated paragraphs read once, in either script; the truncated head of one too; short lines kept
    (f"{P}\n其他内容\n{P}", f"{P}\n其他内容\n"),
    (f"{P}\n{Q}", f"{P}\n"),
    (f"{P}\n{P[:14]}", f"{P}\n"),
    ("增长6%\n增长6%", "增长6%\n增长6%\n"),
    # text that looks like chrome but is content stays
    ("展开了一场价格战", "展开了一场价格战\n"),
    ("相关推荐算法让营收增长6%", "相关推荐算法让营收增长6%\n"),
]


@pytest.mark.parametrize("raw,expected", TEXT, ids=[r[:24] for r, _ in TEXT])
def test_text(raw, expected):
    assert normalize.normalize(raw).text == expected


SPANS = [
    ("收入185.82億(yì)元", "185.82亿元", "185.82億(yì)元"),
    ("阿里雲營收增長６％", "6%", "６％"),
    ("阿里雲營收增長６％", "阿里云", "阿里雲"),
    ("营收……增长6%", "6%", "6%"),
    ("营收……增长6%", "......", "……"),
    ("①营收增长6%", "1", "①"),
    ("年?duì)I收百億美元", "营收", "?duì)I收"),
    ("年?duì)I收百億美元", "百亿美元", "百億美元"),
    ("展开\n打开APP\n营收增长6%", "6%", "6%"),
    ("特別聲明:以上內容\n營收增長6%", "增长6%", "增長6%"),
    (f"{P}\n{P}\n利润增长8%", "8%", "8%"),
    ("营收增长6%\r\n利润增长8%", "8%", "8%"),
    ("e\u0301营收增长6%", "6%", "6%"),
    ("面积100㎡,增长6%", "6%", "6%"),
    ("財(cái)年營收為76.79億(yì)元", "76.79亿元", "76.79億(yì)元"),
    ("號(hào)稱營收增長6%", "6%", "6%"),
    ("阿里雲智能集團第二季度收入為265.49億元人民幣，同比增長6%。", "265.49亿元人民币", "265.49億元人民幣"),
    ("阿里云營收增長６％，騰訊雲增長３％", "3%", "３％"),
    ("通義千問（Qwen）開源模型下載量突破4000萬次", "4000万次", "4000萬次"),
    (f"{Q}\n{P}\n市佔率從37.8%下滑至29.9%", "29.9%", "29.9%"),
    # at the very edges of a replacement piece (pinyin dropped, ① -> 1, …… -> ......, ㎡ -> m2): an end one off
    # shows here, on the piece itself or on its neighbours, at the start, middle or end of the text
    ("营收……增长6%", "增长", "增长"),
    ("营收……增长6%", "营收", "营收"),
    ("营收……", "......", "……"),
    ("……6%", "6%", "6%"),
    ("增长6%……", "6%", "6%"),
    ("营收……增长", ".", "…"),
    ("①②营收", "1", "①"),
    ("①②营收", "2", "②"),
    ("营收①", "1", "①"),
    ("营收①增长", "增长", "增长"),
    ("营收⑩增长", "10", "⑩"),
    ("億(yì)元", "元", "元"),
    ("億(yì)元", "亿", "億"),
    ("收入185億(yì)", "185亿", "185億"),
    ("號(hào)稱營收", "号", "號"),
    ("號(hào)稱營收", "称", "稱"),
    ("面积100㎡", "m2", "㎡"),
    ("面积100㎡增长", "增长", "增长"),
]


@pytest.mark.parametrize("raw,piece,original", SPANS, ids=[f"{r[:16]}|{p}" for r, p, _ in SPANS])
def test_span_maps_back_to_the_original(raw, piece, original):
    norm = normalize.normalize(raw)
    i = norm.text.index(piece)
    s, e = norm.offsets.span(i, i + len(piece))
    assert raw[s:e] == original


FRONT = "---\ntitle: 阿里雲\ndate: 2024-09-20\n---\n"


@pytest.mark.parametrize("body,piece,original", [
    ("阿里雲營收增長６％", "6%", "６％"),
    ("营收……增长6%", "6%", "6%"),
    ("展开\n营收增长6%", "6%", "6%"),
])
def test_spans_index_the_whole_file_after_front_matter(body, piece, original):
    raw = FRONT + body
    norm = normalize.normalize(raw, len(FRONT))
    assert "title" not in norm.text
    i = norm.text.index(piece)
    s, e = norm.offsets.span(i, i + len(piece))
    assert raw[s:e] == original and s >= len(FRONT)


DROPPED = [
    ("展开\n营收增长6%\n打开APP", "营收增长6%\n", 2),
    (f"{P}\n{P}\n{P}", f"{P}\n", 2),
    ("营收增长6%\n相关推荐\n第一条\n第二条", "营收增长6%\n", 3),
    ("营收增长6%", "营收增长6%\n", 0),
]


@pytest.mark.parametrize("raw,text,dropped", DROPPED, ids=[r[:20] for r, _, _ in DROPPED])
def test_dropped_lines_are_counted(raw, text, dropped):
    norm = normalize.normalize(raw)
    assert (norm.text, norm.dropped_lines) == (text, dropped)


def test_many_distinct_paragraphs_sharing_a_prefix_are_all_kept():
    """The repeat check compares with every earlier paragraph; none of these repeats another."""
    raw = "".join(f"阿里云本季度营收同比增长了{i}%\n" for i in range(2000))
    assert normalize.normalize(raw).text == raw


SIMPLIFIED_LONG = "阿里云本季度营收同比增长,云智能集团表示需求强劲。" * 100  # 2,500 characters
# (raw, written in traditional script?): a text is traditional when at least 2% of its first 2,000
# characters (and at least 3) are ones t2s changes; stray traditional characters do not make it so.
SCRIPT = [
    (Q, True),
    (P, False),
    ("阿里云营收增长於上季", False),  # one stray character
    ("阿里雲營收", False),  # two: under the three a text needs
    ("阿里雲營收增長", True),
    ("雲" * 39 + SIMPLIFIED_LONG, False),  # 39 of 2,000: under 2%
    ("雲" * 40 + SIMPLIFIED_LONG, True),
    (SIMPLIFIED_LONG + "雲" * 500, False),  # past the sample
]


@pytest.mark.parametrize("raw,traditional", SCRIPT, ids=[f"{r[:12]}-{len(r)}" for r, _ in SCRIPT])
def test_script(raw, traditional):
    assert normalize.normalize(raw).traditional is traditional
