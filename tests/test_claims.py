"""Sentences from news the rules were not written for, with the claims they must give.

One case a line: (text, publication date, expected rows). A row is
(entity, product, metric, value, value_high, unit, qualifier, period); every expected row must be
extracted, and nothing else of a core metric. Add real sentences here when the extractor misses one.
"""
from __future__ import annotations

import datetime as dt
import math
from pathlib import Path

import pytest

from extractors import pipeline
from extractors.metrics import core
from extractors.text import documents

CORE_METRICS = core()

D = dt.date
AC = "alibaba_cloud"
GROUP = "alibaba_group"

CASES = [
    # revenue and growth, fiscal labels
    ("阿里巴巴今日发布2025财年第一季度业绩,阿里云智能集团收入为265.49亿元,同比增长6%。", D(2024, 8, 15),
     [(AC, None, "revenue", 26549000000, None, "CNY", "exact", "2024Q2"),
      (AC, None, "revenue_growth", 6, None, "%", "exact", "2024Q2")]),
    ("阿里雲2024財年第三季度營收為280.66億元,同比增長3%。", D(2024, 2, 7),
     [(AC, None, "revenue", 28066000000, None, "CNY", "exact", "2023Q4"),
      (AC, None, "revenue_growth", 3, None, "%", "exact", "2023Q4")]),
    ("阿里云2024财年收入为1064亿元。", D(2024, 5, 20),
     [(AC, None, "revenue", 106400000000, None, "CNY", "exact", "FY2024")]),
    ("2024年上半年,阿里云收入同比增长5%。", D(2024, 9, 1),
     [(AC, None, "revenue_growth", 5, None, "%", "exact", "2024H1")]),
    ("去年阿里云营收增长3%。", D(2024, 5, 1),
     [(AC, None, "revenue_growth", 3, None, "%", "exact", "2023")]),
    ("阿里云季度收入同比下降3%。", D(2023, 5, 18),  # a quarter's figure in May: January to March
     [(AC, None, "revenue_growth", -3, None, "%", "exact", "2023Q1")]),
    ("阿里云营收增速一度超过100%。", D(2023, 5, 18),
     [(AC, None, "revenue_growth", 100, None, "%", "over", None)]),
    ("AWS第二季度营收为262.8亿美元,同比增长19%。", D(2024, 8, 2),
     [("aws", None, "revenue", 26280000000, None, "USD", "exact", "2024Q2"),
      ("aws", None, "revenue_growth", 19, None, "%", "exact", "2024Q2")]),
    ("华为云2023年收入达到553亿元。", D(2024, 4, 1),
     [("huawei_cloud", None, "revenue", 55300000000, None, "CNY", "exact", "2023")]),
    ("騰訊雲營收同比增長15%。", D(2024, 3, 1),
     [("tencent_cloud", None, "revenue_growth", 15, None, "%", "exact", None)]),
    ("阿里云营收约为1000亿元。", D(2023, 3, 1),
     [(AC, None, "revenue", 100000000000, None, "CNY", "approx", None)]),
    ("阿里云外部收入同比增长29%。", D(2025, 11, 25),
     [(AC, "external_revenue", "revenue_growth", 29, None, "%", "exact", None)]),
    # adjusted EBITA
    ("阿里云经调整EBITA同比增长155%至22.37亿元。", D(2024, 8, 15),
     [(AC, None, "adjusted_ebita_growth", 155, None, "%", "exact", None),
      (AC, None, "adjusted_ebita", 2237000000, None, "CNY", "exact", None)]),
    ("11月15日阿里巴巴发布最新季报,阿里云经调整EBITA利润为26.61亿元。", D(2024, 11, 16),
     [(AC, None, "adjusted_ebita", 2661000000, None, "CNY", "exact", "2024Q3")]),
    # market share: a market is the denominator, never the subject
    ("阿里云在中国公有云市场的份额为26.1%,位居第一。", D(2024, 6, 1),
     [(AC, None, "market_share", 26.1, None, "%", "exact", None)]),
    ("根據IDC數據,2023年阿里雲市場份額為36.7%。", D(2024, 6, 1),
     [(AC, None, "market_share", 36.7, None, "%", "exact", "2023")]),
    ("腾讯云的市场份额从18%下滑至15%。", D(2024, 6, 1),
     [("tencent_cloud", None, "market_share", 18, None, "%", "exact", None),
      ("tencent_cloud", None, "market_share", 15, None, "%", "exact", None)]),
    # price cuts and token prices
    ("阿里云宣布,自2024年3月1日起,云服务器ECS降价最高达36%。", D(2024, 2, 29),
     [(AC, None, "price_cut", 36, None, "%", "up_to", "2024-03")]),
    ("阿里雲宣布核心產品價格下調20%。", D(2024, 2, 29),
     [(AC, None, "price_cut", 20, None, "%", "exact", None)]),
    ("阿里云通义千问Qwen-Max的API价格降至每千tokens 0.02元,降幅达67%。", D(2024, 5, 21),
     [(AC, "qwen-max", "token_price", 20, None, "CNY/1M tokens", "exact", None),
      (AC, "qwen-max", "price_cut", 67, None, "%", "exact", None)]),
    ("今年5月,Qwen-Long输入价格为0.5元/百万tokens。", D(2024, 9, 19),
     [(AC, "qwen-long", "token_price", 0.5, None, "CNY/1M tokens", "exact", "2024-05")]),
    ("阿里云降价幅度最高达55%。", D(2024, 2, 29),
     [(AC, None, "price_cut", 55, None, "%", "up_to", None)]),
    # markets
    ("据Canalys数据,2024年第二季度中国云服务市场同比增长19%。", D(2024, 9, 1),
     [("china_public_cloud_market", None, "revenue_growth", 19, None, "%", "exact", "2024Q2")]),
    # ---- subjects: the cloud under other names, the group, parts that are not the cloud
    ("阿里巴巴公布季度业绩,云业务收入同比增长12%。", D(2024, 11, 15),
     [(AC, None, "revenue_growth", 12, None, "%", "exact", "2024Q3")]),
    ("財報顯示,雲智能集團本季收入按年增長26%至334億元人民幣。", D(2025, 8, 30),
     [(AC, None, "revenue_growth", 26, None, "%", "exact", "2025Q2"),
      (AC, None, "revenue", 33400000000, None, "CNY", "exact", "2025Q2")]),
    ("阿里第二财季总收入2365亿元,同比增长5%。", D(2024, 11, 16),
     [(GROUP, None, "revenue", 236500000000, None, "CNY", "exact", "2024Q3"),
      (GROUP, None, "revenue_growth", 5, None, "%", "exact", "2024Q3")]),
    ("淘天集团收入同比增长1%,中国电商集团经调整EBITA下降9%,本地生活集团收入增长14%。", D(2024, 11, 16), []),
    ("腾讯金融科技及企业服务业务收入同比增长7%至532亿元。", D(2024, 11, 14), []),
    ("阿里云营收增速超过亚马逊,达到30%。", D(2024, 5, 1),
     [(AC, None, "revenue_growth", 30, None, "%", "exact", None)]),
    ("IDC报告显示,阿里巴巴以26.1%的份额位居中国公有云IaaS市场首位。", D(2024, 12, 1),
     [(AC, "public_cloud_iaas", "market_share", 26.1, None, "%", "exact", None)]),
    # ---- verbs and metric words, mainland, Hong Kong and Taiwan
    ("阿里云季度营收大涨34%。", D(2025, 11, 26), [(AC, None, "revenue_growth", 34, None, "%", "exact", "2025Q3")]),
    ("雲端業務收入按年上升18%。", D(2025, 5, 16), [(AC, None, "revenue_growth", 18, None, "%", "exact", None)]),
    ("阿里雲營收年增7%,經調整EBITA年增率達45%。", D(2024, 5, 16),
     [(AC, None, "revenue_growth", 7, None, "%", "exact", None),
      (AC, None, "adjusted_ebita_growth", 45, None, "%", "exact", None)]),
    ("云智能集团单季录得收入296亿元人民币,按年多7%。", D(2024, 11, 16),
     [(AC, None, "revenue", 29600000000, None, "CNY", "exact", "2024Q3"),
      (AC, None, "revenue_growth", 7, None, "%", "exact", "2024Q3")]),
    ("腾讯云收入同比翻倍。", D(2019, 8, 15), [("tencent_cloud", None, "revenue_growth", 100, None, "%", "approx", None)]),
    ("阿里云实现了13%的同比增速。", D(2025, 2, 21), [(AC, None, "revenue_growth", 13, None, "%", "exact", None)]),
    ("阿里云调整后EBITA为29.5亿元,同比增长26%。", D(2025, 8, 30),
     [(AC, None, "adjusted_ebita", 2950000000, None, "CNY", "exact", None),
      (AC, None, "adjusted_ebita_growth", 26, None, "%", "exact", None)]),
    ("阿里云占中国公有云市场的36%。", D(2025, 3, 1), [(AC, None, "market_share", 36, None, "%", "exact", None)]),
    # ---- the value in the clause after the metric; translations; losses
    ("阿里云营收317亿元,同比增长13%。", D(2025, 2, 21),
     [(AC, None, "revenue", 31700000000, None, "CNY", "exact", None),
      (AC, None, "revenue_growth", 13, None, "%", "exact", None)]),
    ("阿里巴巴集团收入2477亿元(约合350亿美元)。", D(2025, 11, 26),
     [(GROUP, None, "revenue", 247700000000, None, "CNY", "exact", None),
      (GROUP, None, "revenue", 35000000000, None, "USD", "approx", None)]),
    ("2020年第一季度,阿里云经调整EBITA亏损6.2亿元,去年同期亏损4.2亿元。", D(2020, 5, 22),
     [(AC, None, "adjusted_ebita", -620000000, None, "CNY", "exact", "2020Q1"),
      (AC, None, "adjusted_ebita", -420000000, None, "CNY", "exact", "2019Q1")]),
    # ---- lists, rankings and sequences
    ("阿里云、华为云和腾讯云的市场份额分别为26%、13%和9%。", D(2025, 3, 1),
     [(AC, None, "market_share", 26, None, "%", "exact", None),
      ("huawei_cloud", None, "market_share", 13, None, "%", "exact", None),
      ("tencent_cloud", None, "market_share", 9, None, "%", "exact", None)]),
    ("2024年中国公有云IaaS市场份额排名:\n阿里云 26.1%\n华为云 13.2%\n腾讯云 9.4%", D(2025, 3, 1),
     [(AC, "public_cloud_iaas", "market_share", 26.1, None, "%", "exact", "2024"),
      ("huawei_cloud", "public_cloud_iaas", "market_share", 13.2, None, "%", "exact", "2024"),
      ("tencent_cloud", "public_cloud_iaas", "market_share", 9.4, None, "%", "exact", "2024")]),
    ("前四家厂商合计份额超过60%,其中阿里云份额为26%。", D(2025, 3, 1),
     [(AC, None, "market_share", 26, None, "%", "exact", None)]),
    ("从2022财年到2024财年,阿里云收入增速分别是3%、2%和1%。", D(2024, 6, 1),
     [(AC, None, "revenue_growth", 3, None, "%", "exact", "FY2022"),
      (AC, None, "revenue_growth", 2, None, "%", "exact", "FY2023"),
      (AC, None, "revenue_growth", 1, None, "%", "exact", "FY2024")]),
    # ---- the subject outside the sentence
    ("阿里云公布最新数据。该部门收入同比增长6%。", D(2024, 8, 16),
     [(AC, None, "revenue_growth", 6, None, "%", "exact", None)]),
    ("阿里巴巴集团公布业绩。公司收入同比增长8%,经调整EBITA增长4%。", D(2025, 2, 21),
     [(GROUP, None, "revenue_growth", 8, None, "%", "exact", "2024Q4"),
      (GROUP, None, "adjusted_ebita_growth", 4, None, "%", "exact", "2024Q4")]),
    ("云智能集团要点:\n- 收入398亿元,同比增长34%;\n- 经调整EBITA 36亿元,同比增长35%。", D(2025, 11, 26),
     [(AC, None, "revenue", 39800000000, None, "CNY", "exact", None),
      (AC, None, "revenue_growth", 34, None, "%", "exact", None),
      (AC, None, "adjusted_ebita", 3600000000, None, "CNY", "exact", None),
      (AC, None, "adjusted_ebita_growth", 35, None, "%", "exact", None)]),
    # ---- parallel clauses that drop the metric or the unit
    ("阿里云份额为26%,腾讯云为9%。", D(2025, 3, 1),
     [(AC, None, "market_share", 26, None, "%", "exact", None),
      ("tencent_cloud", None, "market_share", 9, None, "%", "exact", None)]),
    ("Qwen-Plus输入价格为0.0008元/千tokens,输出为0.002元/千tokens。", D(2025, 1, 1),
     [(AC, "qwen-plus", "token_price", 0.8, None, "CNY/1M tokens", "exact", None),
      (AC, "qwen-plus", "token_price", 2, None, "CNY/1M tokens", "exact", None)]),
    # the unit of a token price carries to the next clause's bare amount, scaled to 1M tokens
    ("Qwen-Turbo输入价格为每千tokens 0.0003元,输出价格0.0006元。", None,
     [(AC, "qwen-turbo", "token_price", 0.3, None, "CNY/1M tokens", "exact", None),
      (AC, "qwen-turbo", "token_price", 0.6, None, "CNY/1M tokens", "exact", None)]),
    # but not to another sentence
    ("Qwen-Turbo输入价格为每千tokens 0.0003元。会员价格30元。", None,
     [(AC, "qwen-turbo", "token_price", 0.3, None, "CNY/1M tokens", "exact", None)]),
    # 增速放缓至20%: the rate it slowed to, not a fall of 20%
    ("腾讯云收入增速放缓至12%。", None, [("tencent_cloud", None, "revenue_growth", 12, None, "%", "exact", None)]),
    # X%的增长,至Y亿元: the level after the growth
    ("百度智能云收入实现21%的增长,至49亿元。", None,
     [("baidu_cloud", None, "revenue_growth", 21, None, "%", "exact", None), ("baidu_cloud", None, "revenue", 4.9e9, None, "CNY", "exact", None)]),
    # a run of quarters, then a list of as many values: one quarter each, in order
    ("2023年前三个季度,腾讯云收入增速分别为5%、8%和11%。", None,
     [("tencent_cloud", None, "revenue_growth", 5, None, "%", "exact", "2023Q1"),
      ("tencent_cloud", None, "revenue_growth", 8, None, "%", "exact", "2023Q2"),
      ("tencent_cloud", None, "revenue_growth", 11, None, "%", "exact", "2023Q3")]),
    ("过去两个季度,阿里云收入分别增长6%和6%。", D(2024, 11, 16),
     [(AC, None, "revenue_growth", 6, None, "%", "exact", "2024Q2"), (AC, None, "revenue_growth", 6, None, "%", "exact", "2024Q3")]),
    # quarters that are not named one by one leave the list's periods unknown, not the year's
    ("2024年两个季度,阿里云收入分别增长6%和7%。", None,
     [(AC, None, "revenue_growth", 6, None, "%", "exact", None), (AC, None, "revenue_growth", 7, None, "%", "exact", None)]),
    # 扣除来自并表业务的收入后: the growth that follows is external revenue's
    ("阿里云收入同比增长5%,扣除来自集团并表业务的收入后,同比增长12%。", None,
     [(AC, None, "revenue_growth", 5, None, "%", "exact", None), (AC, "external_revenue", "revenue_growth", 12, None, "%", "exact", None)]),
    # 较上年 is the comparison (year on year), not the claim's period
    ("2023财年,阿里云收入772亿元,较上年增长4%。", None,
     [(AC, None, "revenue", 7.72e10, None, "CNY", "exact", "FY2023"), (AC, None, "revenue_growth", 4, None, "%", "exact", "FY2023")]),
    # a company that only heads the sentence (阿里巴巴:) hands the topic to its own cloud that has the figures
    ("阿里巴巴:云智能集团收入296亿元;经调整EBITA为25亿元。", None,
     [(AC, None, "revenue", 2.96e10, None, "CNY", "exact", None), (AC, None, "adjusted_ebita", 2.5e9, None, "CNY", "exact", None)]),
    # ---- forecasts, expectations and look-alikes are not claims
    ("券商预计阿里云下季度收入增速将达到30%。", D(2025, 11, 26), []),
    ("市场预期阿里云收入增长25%,实际增长26%。", D(2025, 8, 30),
     [(AC, None, "revenue_growth", 26, None, "%", "exact", None)]),
    ("阿里云收入有望在明年突破1500亿元。", D(2025, 11, 26), []),
    ("阿里巴巴经调整净利润同比下降72%,经调整利润为103亿元。", D(2025, 11, 26), []),
    ("财报发布后,阿里巴巴股价上涨5%。", D(2025, 11, 26), []),
    ("我们预测FY26E云收入增速为28%。", D(2025, 8, 30), []),
    # ---- numbers
    ("Qwen-Turbo的价格低至¥0.0003/千tokens。", D(2024, 9, 19),
     [(AC, "qwen-turbo", "token_price", 0.3, None, "CNY/1M tokens", "as_low_as", None)]),
    # ---- periods
    ("截至2025年6月30日止季度,云智能集团收入为334亿元。", D(2025, 8, 30),
     [(AC, None, "revenue", 33400000000, None, "CNY", "exact", "2025Q2")]),
    ("阿里云本季度收入317亿元,去年同期为280亿元。", D(2025, 2, 21),
     [(AC, None, "revenue", 31700000000, None, "CNY", "exact", "2024Q4"),
      (AC, None, "revenue", 28000000000, None, "CNY", "exact", "2023Q4")]),
    ("阿里云2025财年Q1收入同比增长6%。", D(2024, 8, 16),
     [(AC, None, "revenue_growth", 6, None, "%", "exact", "2024Q2")]),
    ("阿里云2025年Q2收入同比增长26%。", D(2025, 8, 30),
     [(AC, None, "revenue_growth", 26, None, "%", "exact", "2025Q2")]),
    ("2024年第四季度,阿里云收入同比增长13%。该季度经调整EBITA增长33%。", D(2025, 2, 21),
     [(AC, None, "revenue_growth", 13, None, "%", "exact", "2024Q4"),
      (AC, None, "adjusted_ebita_growth", 33, None, "%", "exact", "2024Q4")]),
    ("阿里云2021财年第三季度收入增长37%,而上一季度为50%。", D(2021, 5, 1),
     [(AC, None, "revenue_growth", 37, None, "%", "exact", "2020Q4"),
      (AC, None, "revenue_growth", 50, None, "%", "exact", "2020Q3")]),
    # a month just after publication is the coming one
    ("2月28日,阿里云宣布下调核心产品价格,平均降幅20%,新价格自3月1日起生效。", D(2024, 2, 28),
     [(AC, None, "price_cut", 20, None, "%", "average", "2024-03")]),
    # shares of the market the text ranks, dated by the half the report covers
    ("IDC报告显示,2025上半年中国AI云市场规模达到100亿元。\n\n阿里云以30.2%的份额位居第一,腾讯云份额为8.1%。", None,
     [(AC, "ai_cloud", "market_share", 30.2, None, "%", "exact", "2025H1"),
      ("tencent_cloud", "ai_cloud", "market_share", 8.1, None, "%", "exact", "2025H1")]),
    # another place ends the market the text ranked
    ("IDC数据显示,2024年中国公有云IaaS市场中,阿里云份额为26%。\n\n从全球范围看,阿里云份额约为4%。", None,
     [(AC, "public_cloud_iaas", "market_share", 26, None, "%", "exact", "2024"),
      (AC, None, "market_share", 4, None, "%", "approx", None)]),
    # another vendor's model is that vendor's cloud, not the Qwen named before
    ("阿里云宣布,通义千问Qwen-Turbo输入价格降至每千tokens 0.0003元。腾讯混元 hunyuan-lite 输入价格为每千tokens 0.0008元。", None,
     [(AC, "qwen-turbo", "token_price", 0.3, None, "CNY/1M tokens", "exact", None),
      ("tencent_cloud", None, "token_price", 0.8, None, "CNY/1M tokens", "exact", None)]),
    # parallel clauses: each product its own cut; one we do not know has none
    ("阿里云宣布全线降价,其中ECS最高降价36%,对象存储OSS最高降价50%,云数据库RDS最高降价40%。", None,
     [(AC, None, "price_cut", 36, None, "%", "up_to", None), (AC, "storage", "price_cut", 50, None, "%", "up_to", None),
      (AC, None, "price_cut", 40, None, "%", "up_to", None)]),
    # a price table: the unit line above, one price per cell
    ("通义千问商业版模型单价\n\n单位:元/百万tokens\n\n| 模型名称 | 上下文长度 | 输入单价 | 输出单价 |\n| qwen-max | 32,768 | 2.4 | 9.6 |",
     None, [(AC, "qwen-max", "token_price", 2.4, None, "CNY/1M tokens", "exact", None),
            (AC, "qwen-max", "token_price", 9.6, None, "CNY/1M tokens", "exact", None)]),
    # a cause names a figure of the whole company
    ("阿里云收入同比增长6%。经营利润为50亿元,同比下降60%,主要由于经调整EBITA减少40%所致。", D(2024, 8, 15),
     [(AC, None, "revenue_growth", 6, None, "%", "exact", None),
      (GROUP, None, "adjusted_ebita_growth", -40, None, "%", "exact", None)]),
    # a subject named as a cause is not the next sentence's subject
    ("阿里巴巴集团收入为2000亿元,主要因银泰出表;经调整EBITA为300亿元。", D(2024, 8, 15),
     [(GROUP, None, "revenue", 2e11, None, "CNY", "approx", None), (GROUP, None, "adjusted_ebita", 3e10, None, "CNY", "approx", None)]),
    # each end of a change dated by its own year
    ("阿里云的市场份额从2019年的40%下降至2021年的37%。", None,
     [(AC, None, "market_share", 40, None, "%", "exact", "2019"), (AC, None, "market_share", 37, None, "%", "exact", "2021")]),
    # an undated text is no older than the latest quarter it reports figures for
    ("2025年第三季度,百度智能云收入为42亿元,同比增长33%。文心大模型日均调用量在2024年12月达到16亿次。", None,
     [("baidu_cloud", None, "revenue", 4.2e9, None, "CNY", "exact", "2025Q3"),
      ("baidu_cloud", None, "revenue_growth", 33, None, "%", "exact", "2025Q3")]),
    # Taiwan wording: 第三季, 年增, 達; 市佔率
    ("阿里雲2024年第三季營收年增7%,達296億元人民幣。", D(2024, 11, 16),
     [(AC, None, "revenue_growth", 7, None, "%", "exact", "2024Q3"), (AC, None, "revenue", 2.96e10, None, "CNY", "exact", "2024Q3")]),
    ("阿里雲在中國雲端市場的市佔率約為36%。", None, [(AC, None, "market_share", 36, None, "%", "approx", None)]),
    # 本财季 with nothing before it: the quarter just reported
    ("阿里云智能集团本财季收入较上年同期增长26%至333.98亿元。", D(2025, 8, 29),
     [(AC, None, "revenue_growth", 26, None, "%", "exact", "2025Q2"), (AC, None, "revenue", 3.3398e10, None, "CNY", "exact", "2025Q2")]),
    # a bare Q2: the publication year's
    ("Q2阿里云收入同比增长26%。", D(2025, 8, 29), [(AC, None, "revenue_growth", 26, None, "%", "exact", "2025Q2")]),
    # 近三成: about 30%
    ("阿里云季度营收同比增长近三成。", None, [(AC, None, "revenue_growth", 30, None, "%", "approx", None)]),
    # subjects written together are one name (中国电信天翼云); a list of shares under them
    ("2024年下半年中国公有云IaaS市场中,阿里云、华为云、中国电信天翼云分列前三,份额分别为26.6%、13.4%和12.1%。", None,
     [(AC, "public_cloud_iaas", "market_share", 26.6, None, "%", "exact", "2024H2"),
      ("huawei_cloud", "public_cloud_iaas", "market_share", 13.4, None, "%", "exact", "2024H2")]),
    # a bracket naming the subject is no clause of its own
    ("2024年全球IaaS市场份额排名:\n亚马逊 37.7%\n阿里巴巴(阿里云)7.9%", None,
     [("aws", "public_cloud_iaas", "market_share", 37.7, None, "%", "exact", "2024"),
      (AC, "public_cloud_iaas", "market_share", 7.9, None, "%", "exact", "2024")]),
    # a list counted before it is named, each member with a bracketed alias: the figures are the list's together
    ("四大厂商阿里云(Alibaba Cloud)、华为云(Huawei Cloud)、腾讯云(Tencent Cloud)和百度智能云合计占据71%的份额,同比增长了20%。", None, []),
    ("三大云服务厂商亚马逊云科技(Amazon Web Services,AWS)和微软(Microsoft)共计增长了30%。", None, []),
    # what a figure is owed to (受益于云计算...) is not whose figure it is
    ("阿里巴巴集团受益于云计算需求的增长,收入同比增长了8%。", None, [(GROUP, None, "revenue_growth", 8, None, "%", "exact", None)]),
    # a bracket that lists subjects is not one name
    ("国内厂商(阿里云、腾讯云)分别增长了20%和10%。", None,
     [(AC, None, "revenue_growth", 20, None, "%", "exact", None), ("tencent_cloud", None, "revenue_growth", 10, None, "%", "exact", None)]),
    # a subject that only dates the sentence (阿里巴巴2023财年第四季度,) is not the topic a next clause goes on about
    ("阿里巴巴2024财年第二季度,云智能集团收入276亿元;经调整EBITA为14亿元。", None,
     [(AC, None, "revenue", 2.76e10, None, "CNY", "exact", "2023Q3"), (AC, None, "adjusted_ebita", 1.4e9, None, "CNY", "exact", "2023Q3")]),
    # another currency before a degree word: the yuan conversion is the figure
    ("阿里雲第三季營收達新台幣約1250億元(約280億元人民幣)。", D(2024, 3, 1),
     [(AC, None, "revenue", 2.8e10, None, "CNY", "approx", "2023Q3")]),
    # 上一财年: the fiscal year before the one the text is published in
    ("上一财年,阿里云全年营收1180亿元。", D(2025, 5, 20), [(AC, None, "revenue", 1.18e11, None, "CNY", "exact", "FY2025")]),
    # 占比 after a vendor and its market restates the share; elsewhere it is a part of a whole
    ("2023年阿里云在亚太地区IaaS市场排名第一,占比达到26%。", None, [(AC, "public_cloud_iaas", "market_share", 26, None, "%", "exact", "2023")]),
    ("阿里云外部商业化收入中,AI相关收入占比超过20%。", None, []),
    ("2023年IaaS市场规模3383亿元,占比74%。", None, []),
    # 上季度 after a figure of the quarter just reported is the quarter before it
    ("阿里云收入同比增长34%,创下新高,上季度为26%。", D(2025, 11, 26),
     [(AC, None, "revenue_growth", 34, None, "%", "exact", "2025Q3"), (AC, None, "revenue_growth", 26, None, "%", "exact", "2025Q2")]),
    ("阿里云上季度收入同比增长26%。", D(2025, 8, 30), [(AC, None, "revenue_growth", 26, None, "%", "exact", "2025Q2")]),
    # a bracket right after a vendor it is set against holds that vendor's figure
    ("腾讯云的份额约为15%,落后于华为云(约19%)。", None,
     [("tencent_cloud", None, "market_share", 15, None, "%", "approx", None), ("huawei_cloud", None, "market_share", 19, None, "%", "approx", None)]),
    # EBITA盈利: the profit of the metric named, its value in the next clause
    ("云智能集团首次实现经调整EBITA盈利,达2.43亿元。", None, [(AC, None, "adjusted_ebita", 2.43e8, None, "CNY", "exact", None)]),
    # external revenue named in a clause of its own before the figure
    ("阿里云收入同比增长3%,若剔除并表业务,收入同比增长5%。", None,
     [(AC, None, "revenue_growth", 3, None, "%", "exact", None), (AC, "external_revenue", "revenue_growth", 5, None, "%", "exact", None)]),
    # 是...的两倍: the subject compared with is not the figure's
    ("阿里云的营收是腾讯云的两倍,达到296亿元。", None, [(AC, None, "revenue", 2.96e10, None, "CNY", "exact", None)]),
    # external revenue named in brackets after the revenue word
    ("阿里云营收(不含阿里巴巴并表业务)同比增长27%。", None,
     [(AC, "external_revenue", "revenue_growth", 27, None, "%", "exact", None)]),
    # a bound the same sentence's figure meets restates it (首次突破5000亿元)
    ("阿里巴巴2020财年收入5097.11亿元,同比增长35%,首次突破5000亿元。", None,
     [(GROUP, None, "revenue", 5.09711e11, None, "CNY", "exact", "FY2020"),
      (GROUP, None, "revenue_growth", 35, None, "%", "exact", "FY2020")]),
    # a bound on its own is a claim
    ("阿里云季度收入首次突破300亿元。", None, [(AC, None, "revenue", 3e10, None, "CNY", "over", None)]),
    # a headline's rounded figure and the body's precise one are one claim, the precise one
    ("原标题:阿里巴巴季度营收2801.5亿元。\n\n财报显示,阿里巴巴本季度收入为2801.54亿元,同比增长8%。", D(2025, 2, 21),
     [(GROUP, None, "revenue", 2.80154e11, None, "CNY", "exact", "2024Q4"), (GROUP, None, "revenue_growth", 8, None, "%", "exact", "2024Q4")]),
    # close prices of two models are two claims
    ("qwen2-72b-instruct:输入价格为0.005元/1,000 tokens,输出价格为0.01元/1,000 tokens。", None,
     [(AC, "qwen", "token_price", 5, None, "CNY/1M tokens", "exact", None), (AC, "qwen", "token_price", 10, None, "CNY/1M tokens", "exact", None)]),
    # a paragraph whose only value is a word (翻倍) is read
    ("腾讯公布2018年第二季度业绩。\n\n公告显示,二季度,腾讯的云服务收入同比翻倍。", D(2018, 8, 16),
     [("tencent_cloud", None, "revenue_growth", 100, None, "%", "approx", "2018Q2")]),
    # nothing about a tracked company: no core claim
    ("阿里云表现稳健。英伟达营收同比增长94%。", D(2024, 8, 29), []),
    ("阿里云的营收占阿里集团总营收的11%。", D(2024, 8, 29), []),
    ("字节跳动今年已向英伟达订购了超70亿元人民币的GPU产品。", D(2023, 8, 1), []),
    ("阿里云市场份额首次跌破30%大关。", D(2023, 8, 1), []),
    ("吴泳铭表示,全世界先进模型竞争的投入门槛将达到数百亿美金的级别。", D(2024, 9, 19), []),
]


def _extract(text: str, published: dt.date) -> list[dict]:
    doc = documents.Document(path=Path("case.txt"), doc_id="case", raw=text, meta={"published": published},
                             origin={"published": "front_matter"}, precision="day")
    return pipeline.extract(doc)


def _row(r: dict) -> tuple:
    return (r["entity"], r["product"], r["metric"], r["value"], r["value_high"], r["unit"], r["qualifier"], r["period"])


def _same(a: tuple, b: tuple) -> bool:
    return all(math.isclose(x, y) if isinstance(x, (int, float)) and isinstance(y, (int, float)) else x == y
               for x, y in zip(a, b))


@pytest.mark.parametrize("text,published,expected", CASES, ids=[c[0][:18] for c in CASES])
def test_claims_from_unseen_sentences(text, published, expected):
    got = [_row(r) for r in _extract(text, published) if r["metric"] in CORE_METRICS]
    for e in expected:
        assert any(_same(g, e) for g in got), f"missing {e}; got {got}"
    assert len(got) == len(expected), f"extra rows: {[g for g in got if not any(_same(g, e) for e in expected)]}"
