"""Hypothesis strategies for text like scraped Chinese financial news, shared by the property and differential tests."""
from hypothesis import strategies as st

# Pieces of Chinese financial text, numbers and the damage scraped text carries.
FRAGMENTS = [
    "一", "二", "两", "兩", "三", "五", "十", "百", "千", "万", "萬", "亿", "億", "零", "〇", "壹", "贰", "拾", "佰",
    "点", "點", "%", "％", "百分之", "个百分点", "個百分點", "成", "半", "元", "美元", "亿元", "億美元", "毛钱", "多",
    "余", "左右", "约", "超过", "-", "−", "－", "~", "至", "到", "负", "負", "+", "1", "23", "4.5", "0.02", ",",
    "，", "000", "１", "２", "．", "(", ")", "（", "）", "(yì)", "(hào)", "?duì)I", "\n", "\r\n", " ", "\t",
    "\u3000", "\u00a0", "…", "①", "½", "㎡", "ﬁ", "e\u0301", "\u0301", "\u0308", "阿里云", "阿里雲", "營收",
    "增长", "增長", "从", "降至", "分别", "和", "每百万tokens", "/千tokens", "tokens", "¥", "￥", "US$", "$",
    "https://x.cn/?q=", "关口", "数", "几", "第", "年", "月", "个", "次", "万次", "相关推荐", "展开", "特別聲明",
    "新台币", "港元", "千万", "不要", "零一万物", "五角", "\U0001f600", "\ufeff", "\u200b", "\u2028", "\r",
]
number_text = st.lists(st.sampled_from(FRAGMENTS), max_size=40).map("".join)
mixed_text = st.text(
    alphabet=st.one_of(
        st.sampled_from("阿里云雲营營收增长長亿億万萬两兩点點个個百分之元美一二三十千零〇%％，。,.0123456789１２３"),
        st.characters(categories=["Mn", "Mc", "Me"]),  # combining marks
        st.characters(min_codepoint=0x3000, max_codepoint=0x9FFF),  # CJK, kana, full-width punctuation
        st.characters(min_codepoint=0xFF00, max_codepoint=0xFFEF),  # full- and half-width forms
    ),
    max_size=60,
)
any_text = st.text(st.characters(exclude_categories=["Cs"]), max_size=80)  # surrogate-free, any script
texts = st.one_of(number_text, mixed_text, any_text)
