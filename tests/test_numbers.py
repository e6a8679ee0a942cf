"""extractors.recognize.numbers on real-looking news text, one case per line (price-parser style).

A case is (text, span, value, kind, unit, qualifier): the text goes through normalize and numbers.find;
the mention whose ORIGINAL span (cut from the text through the offset map) equals `span` must carry
value (a pair means value and value_high), kind, unit and qualifier. So every case also checks that the
span contains the number as written, in the original script and width.

Add a case to the list of its kind: SIMPLIFIED, TRADITIONAL, MIXED_SCRIPT, FULL_WIDTH, DAMAGED (pinyin,
mojibake, portal text) or NOT_A_CLAIM (text where nothing may be read). Linked mentions (transitions,
分别 lists) have their own table.
"""
from __future__ import annotations

import math
from typing import NamedTuple

import pytest

from extractors.recognize import numbers
from extractors.text import normalize


class N(NamedTuple):
    text: str
    span: str
    value: float | tuple[float, float]
    kind: str
    unit: str | None
    qualifier: str = "exact"


SIMPLIFIED = [
    N("阿里云智能集团本季度收入为人民币296.10亿元,同比增长7%。", "人民币296.10亿元", 29610000000, "money", "CNY"),
    N("阿里云智能集团本季度收入为人民币296.10亿元,同比增长7%。", "7%", 7, "percent", "%"),
    N("阿里云2023财年营收达到1,063.5亿元", "1,063.5亿元", 106350000000, "money", "CNY"),
    N("经调整EBITA利润同比增长155%至22.37亿元", "22.37亿元", 2237000000, "money", "CNY"),
    N("经调整EBITA利润同比增长155%至22.37亿元", "155%", 155, "percent", "%"),
    N("核心产品降价幅度在15%至50%之间", "15%至50%", (15, 50), "percent", "%"),
    N("存储产品降价15~50%", "15~50%", (15, 50), "percent", "%"),
    N("阿里云今年营收预计在100亿至120亿元之间", "100亿至120亿元", (1e10, 1.2e10), "money", "CNY"),
    N("月之暗面估值约15-20亿美元", "15-20亿美元", (1.5e9, 2e9), "money", "USD", "approx"),
    N("单次训练成本三十至五十万元", "三十至五十万元", (3e5, 5e5), "money", "CNY"),
    N("部分产品降价15%到50%不等", "15%到50%", (15, 50), "percent", "%"),
    N("通义千问GPT-4级主力模型Qwen-Long价格直降97%", "97%", 97, "percent", "%"),
    N("每百万tokens输入价格低至0.5元", "每百万tokens输入价格低至0.5元", 0.5, "token", "CNY/1M tokens", "as_low_as"),
    N("Qwen-Turbo价格为0.0003元/千tokens", "0.0003元/千tokens", 0.3, "token", "CNY/1M tokens"),
    N("API调用价格为0.008元/千tokens", "0.008元/千tokens", 8, "token", "CNY/1M tokens"),
    N("价格最低降至0.5元/百万tokens", "0.5元/百万tokens", 0.5, "token", "CNY/1M tokens", "as_low_as"),
    N("全球云计算市场规模预计将突破1万亿美元", "1万亿美元", 1e12, "money", "USD", "over"),
    N("中国公有云市场规模约为2,000亿元", "2,000亿元", 2e11, "money", "CNY", "approx"),
    N("阿里云营收仅增长3%左右", "3%", 3, "percent", "%", "approx"),
    N("国内公有云份额跌破30%", "30%", 30, "percent", "%", "under"),
    N("阿里云市场份额超过三成", "三成", 30, "percent", "%", "over"),
    N("近九成企业选择了混合云", "九成", 90, "percent", "%", "approx"),
    N("头部客户占比达到七成六", "七成六", 76, "percent", "%"),
    N("成本降低了两成半", "两成半", 25, "percent", "%"),
    N("营收同比增长百分之十二点五", "百分之十二点五", 12.5, "percent", "%"),
    N("AI相关产品收入增长百分之百", "百分之百", 100, "percent", "%"),
    N("公有云营收增速为负2%", "负2%", -2, "percent", "%"),
    N("经营利润率收窄至−3.5%", "−3.5%", -3.5, "percent", "%"),
    N("增速从高点的76%降至-2%", "-2%", -2, "percent", "%"),
    N("毛利率提升了3.2个百分点", "3.2个百分点", 3.2, "points", "pp"),
    N("市场份额下滑了两个百分点", "两个百分点", 2, "points", "pp"),
    N("通义千问开源模型下载量突破4000万次", "4000万次", 4e7, "count", "count", "over"),
    N("基于通义千问的衍生模型数量超过10万个", "10万个", 1e5, "count", "count", "over"),
    N("阿里云服务了30多万家企业客户", "30多万家", 3e5, "count", "count", "over"),
    N("云栖大会吸引了两万多人到场", "两万多人", 2e4, "count", "count", "over"),
    N("平台用户数达到一千二百万", "一千二百万", 1.2e7, "big", None),
    N("年营收已突破千亿", "千亿", 1e11, "big", None, "over"),
    N("阿里云在AI基础设施上投入逾百亿元", "百亿元", 1e10, "money", "CNY", "over"),
    N("市值一度蒸发四千三百亿元", "四千三百亿元", 4.3e11, "money", "CNY"),
    N("该项目总投资一万五千亿元", "一万五千亿元", 1.5e12, "money", "CNY"),
    N("阿里云年收入约三点五亿美元", "三点五亿美元", 3.5e8, "money", "USD", "approx"),
    N("单个大模型训练成本在450万美元左右", "450万美元", 4.5e6, "money", "USD", "approx"),
    N("研发团队奖金25万6千元", "25万6千元", 256000, "money", "CNY"),
    N("员工月薪两万多元", "两万多元", 2e4, "money", "CNY", "over"),
    N("数据中心耗资一千二百三十四万元", "一千二百三十四万元", 12340000, "money", "CNY"),
    N("百万token调用花费降到了3毛钱", "百万token调用花费降到了3毛钱", 0.3, "token", "CNY/1M tokens"),
    N("一瓶矿泉水只要3毛钱", "3毛钱", 0.3, "money", "CNY"),
    N("入门款云服务器售价¥1,299", "¥1,299", 1299, "money", "CNY"),
    N("月之暗面完成US$10亿融资", "US$10亿", 1e9, "money", "USD", "approx"),
    N("月之暗面以15亿美元的投前估值融资", "15亿美元", 1.5e9, "money", "USD"),
    N("阿里云营收约为27.06亿美元", "27.06亿美元", 2.706e9, "money", "USD", "approx"),
    N("本次最高降幅达85%", "85%", 85, "percent", "%", "up_to"),
    N("三款主力模型平均降价超20%", "20%", 20, "percent", "%", "average"),
    N("订购GPU的金额不低于70亿元", "70亿元", 7e9, "money", "CNY", "at_least"),
    N("营收增长不到5%", "5%", 5, "percent", "%", "under"),
    N("外部收入增长了6%以上", "6%", 6, "percent", "%", "over"),
    N("阿里云营收两亿三季度又增长", "两亿", 2e8, "big", None, "approx"),
    N("算力规模扩大到10万万次", "10万万次", 1e9, "count", "count"),
]

TRADITIONAL = [
    N("阿里雲本季度收入為185.82億元(27.06億美元),同比下滑2%", "185.82億元", 18582000000, "money", "CNY"),
    N("阿里雲本季度收入為185.82億元(27.06億美元),同比下滑2%", "27.06億美元", 2706000000, "money", "USD"),
    N("阿里雲本季度收入為185.82億元(27.06億美元),同比下滑2%", "2%", 2, "percent", "%"),
    N("雲計算市場規模突破四千億元", "四千億元", 4e11, "money", "CNY", "over"),
    N("部分產品降價幅度達五成", "五成", 50, "percent", "%"),
    N("毛利率提升了1.5個百分點", "1.5個百分點", 1.5, "points", "pp"),
    N("衍生模型超過8萬個", "8萬個", 8e4, "count", "count", "over"),
    N("年營收百億美元的阿里雲", "百億美元", 1e10, "money", "USD", "approx"),
    N("市佔率從37.8%下滑至29.9%", "37.8%", 37.8, "percent", "%"),
    N("市佔率從37.8%下滑至29.9%", "29.9%", 29.9, "percent", "%"),
    N("字節訂購了超70億元人民幣的GPU產品", "70億元人民幣", 7e9, "money", "CNY", "over"),
    N("騰訊雲收入增速從30%回落到10%", "10%", 10, "percent", "%"),
    N("每百萬tokens僅需0.5元", "每百萬tokens僅需0.5元", 0.5, "token", "CNY/1M tokens"),
    N("用戶數達到一千二百萬", "一千二百萬", 1.2e7, "big", None),
    N("營收約為九百八十億元", "九百八十億元", 9.8e10, "money", "CNY", "approx"),
    N("華為雲營收同比增長35%", "35%", 35, "percent", "%"),
    N("亞馬遜AWS的營收增速僅從高點的約40%降至16%", "40%", 40, "percent", "%", "approx"),
    N("研發投入兩萬多元", "兩萬多元", 2e4, "money", "CNY", "over"),
    N("數據中心造價肆仟萬元", "肆仟萬元", 4e7, "money", "CNY", "approx"),
    N("增速為負百分之三", "負百分之三", -3, "percent", "%"),
]

MIXED_SCRIPT = [
    N("阿里雲營收增长6%", "6%", 6, "percent", "%"),
    N("阿里云營收約為1,063.5億元", "1,063.5億元", 106350000000, "money", "CNY", "approx"),
    N("市場份额约为三成", "三成", 30, "percent", "%", "approx"),
    N("Alibaba Cloud營收达到296.1亿元", "296.1亿元", 29610000000, "money", "CNY"),
    N("阿里雲的token价格降至每百萬tokens 0.3元", "每百萬tokens 0.3元", 0.3, "token", "CNY/1M tokens"),
]

FULL_WIDTH = [
    N("阿里云营收增长６％", "６％", 6, "percent", "%"),
    N("本季度收入１８５．８２亿元", "１８５．８２亿元", 18582000000, "money", "CNY"),
    N("核心产品降价１５％至５０％", "１５％至５０％", (15, 50), "percent", "%"),
    N("同比增长百分之２．４", "百分之２．４", 2.4, "percent", "%"),
    N("财年收入１，０６３．５亿元", "１，０６３．５亿元", 106350000000, "money", "CNY"),
    N("估值ＵＳ＄１５亿", "ＵＳ＄１５亿", 1.5e9, "money", "USD"),
    N("售价￥３００", "￥３００", 300, "money", "CNY"),
    N("增速为－２％", "－２％", -2, "percent", "%"),
    N("下载量突破４０００万次", "４０００万次", 4e7, "count", "count", "over"),
    N("营收增长\u3000６％", "６％", 6, "percent", "%"),
]

DAMAGED = [  # bracketed pinyin from bad converters, byte-level mojibake, portal text around the claim
    N("收入185.82億(yì)元,同比下滑2%", "185.82億(yì)元", 18582000000, "money", "CNY"),
    N("年?duì)I收百億美元的阿里雲", "百億美元", 1e10, "money", "USD", "approx"),
    N("2015財(cái)年營收為76.79億元", "76.79億元", 7679000000, "money", "CNY"),
    N("展开\n阿里云营收增长6%\n打开APP", "6%", 6, "percent", "%"),
    N("特別聲明:以上內容為自媒體平臺用戶上傳\n阿里雲營收增長6%", "6%", 6, "percent", "%"),
    N("阿里云营收增长6%……而腾讯云增长3%", "3%", 3, "percent", "%"),
    N("营收增长\u00a06%", "6%", 6, "percent", "%"),
    N("营收增长6%\r\n利润增长8%", "8%", 8, "percent", "%"),
]

NOT_A_CLAIM = [  # nothing here is a value (thresholds and estimates are masked, but ignored)
    "首次跌破了30%关口",
    "数十亿美元的投资",
    "二三十亿美元的投入",
    "三五百万元的预算",
    "五角大楼宣布了新的云合同",
    "珠三角产业集群",
    "零一万物获得阿里投资",
    "阿里云一举成为行业第一",
    "统一成本核算",
    "这一成果来之不易",
    "GPT-4级主力模型",
    "2022年12月",
    "第一季度",
    "三个季度",
    "连续7个季度",
    "链接 https://example.com/?q=30%25&n=100亿元 已失效",
    "台積電營收新台幣6,259億元",
    "收入达新台币约1250亿元",
    "市值港元逾两万亿",
    "阿里巴巴股价上涨至100港元",
    "五百分之二的概率",
    "通义千问2.5版本",
    "百度千帆平台",
    "千万不要忘记",
    "一切为了客户",
    "他俩一起创业",
    "万一出现宕机",
    "1,234,567个零件的第3",
]


def _found(text: str) -> list[tuple[str, numbers.Mention]]:
    norm = normalize.normalize(text)
    out = []
    for m in numbers.find(norm.text):
        if not m.ignored:
            s, e = norm.offsets.span(m.start, m.end)
            out.append((text[s:e], m))
    return out


def _id(c: N) -> str:
    return f"{c.text[:18]}|{c.span}"


@pytest.mark.parametrize("case", SIMPLIFIED + TRADITIONAL + MIXED_SCRIPT + FULL_WIDTH + DAMAGED, ids=_id)
def test_mention(case: N):
    found = _found(case.text)
    hits = [m for span, m in found if span == case.span]
    assert len(hits) == 1, [span for span, _ in found]
    m = hits[0]
    low, high = case.value if isinstance(case.value, tuple) else (case.value, None)
    assert math.isclose(m.value, low, rel_tol=1e-9)
    assert (m.value_high is None and high is None) or math.isclose(m.value_high, high, rel_tol=1e-9)
    assert (m.kind, m.unit, m.qualifier) == (case.kind, case.unit, case.qualifier)


@pytest.mark.parametrize("text", NOT_A_CLAIM)
def test_nothing_is_read(text: str):
    assert _found(text) == []


# (text, [(span as written, role or list position)]): transitions give from/to, 分别 lists give 0, 1, ...
LINKED = [
    ("阿里云营收增速从高点的76%降至-2%", [("76%", "from"), ("-2%", "to")]),
    ("份额从37.8%下滑至29.9%", [("37.8%", "from"), ("29.9%", "to")]),
    ("市佔率從37.8%下滑至29.9%", [("37.8%", "from"), ("29.9%", "to")]),
    ("营收从3000亿元增长到4000亿元", [("3000亿元", "from"), ("4000亿元", "to")]),
    ("Qwen-Plus和Qwen-Max分别再降价80%和50%", [("80%", 0), ("50%", 1)]),
    ("三款模型的降幅分别为97%、85%与80%", [("97%", 0), ("85%", 1), ("80%", 2)]),
    ("兩款模型分別降價80%和50%", [("80%", 0), ("50%", 1)]),
]


@pytest.mark.parametrize("text,expected", LINKED, ids=[t for t, _ in LINKED])
def test_linked_mentions(text, expected):
    norm = normalize.normalize(text)
    masked = numbers.mask(norm.text, numbers.find(norm.text))
    got = []
    for m in masked.mentions:
        s, e = norm.offsets.span(m.start, m.end)
        got.append((text[s:e], m.role if m.role else m.list_index))
    assert got == expected


# parse_value: the finder's grammar on a whole string (what find() would read if a unit followed).
WHOLE = [
    ("一千二百三十四万", 12340000), ("两万多", 20000), ("三点五亿", 350000000), ("4.78万亿", 4.78e12),
    ("4.78萬億", 4.78e12), ("一千三", 1300), ("一万三", 13000), ("九十二万四", 924000), ("五亿零六", 500000006),
    ("一百零一万一千", 1011000), ("四亿五千六百四十二万零一十五", 456420015), ("3万4000", 34000),
    ("25万6千", 256000), ("5亿1万4千6百", 500014600), ("2千零30万", 20300000), ("四万万", 400000000),
    ("负三十二", -32), ("-10000", -10000), ("1,050,000,000", 1050000000), ("零点五", 0.5),
    ("壹佰伍拾", 150), ("拾亿零六万零五百零六", 1000060506), ("１１.92亿", 1192000000), ("1000  万", 10000000),
    ("二十 億", 2000000000), ("百三", 130), ("两千三点一", 2300.1), ("一万零十二点一五", 10012.15),
    ("二三十", None), ("两两", None), ("万", None), ("万万", None), ("三个", None), ("2023年", None),
    ("1.2.3", None), ("9" * 400, None),
]


@pytest.mark.parametrize("text,value", WHOLE, ids=[t[:20] for t, _ in WHOLE])
def test_parse_value(text, value):
    got = numbers.parse_value(text)
    assert (got is None and value is None) or (got is not None and math.isclose(got, value, rel_tol=1e-12))


def _spans(text: str, anchored: bool) -> list[tuple]:
    return [(m.start, m.end, m.value, m.value_high, m.kind, m.qualifier, m.ignored)
            for m in numbers.find(normalize.normalize(text).text, anchored=anchored)]


# Word-led forms start at or just before a lead anchor (numbers.yaml): each kind, spaced and packed.
WORD_LED = ["每百万tokens输入价格低至0.5元", "每 百万  Tokens 输出价格为2元", "1,000,000   TOKENS 价格0.8元",
            "1M tokens 仅需3元", "价格为¥ 2/百万Token", "¥0.008/千tokens", "RMB 100亿", "人民币10亿元",
            "US$ 3.5亿", "营收$12亿", "百分之十五", "下降负百分之三", "增长百分之 三十"]
# Number-led forms start at a digit of any script, a Chinese numeral or a sign: the scan skips to one.
NUMBER_STARTS = ["营收增长٣٠%", "亏损负3亿元", "下降−2.5%", "增长+6%", "收入两千亿元", "贰拾亿元", "约〇点五%"]
ALL_TEXTS = [c.text for c in SIMPLIFIED + TRADITIONAL + MIXED_SCRIPT + FULL_WIDTH + DAMAGED] + NOT_A_CLAIM + \
    [t for t, _ in LINKED] + [t for t, _ in WHOLE] + WORD_LED + NUMBER_STARTS


@pytest.mark.parametrize("text", ALL_TEXTS, ids=[t[:20] for t in ALL_TEXTS])
def test_anchored_scan_finds_what_a_full_scan_finds(text):
    assert _spans(text, True) == _spans(text, False)
