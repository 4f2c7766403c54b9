"""Fixed vocabulary of the sample company: departments, cities, people's names, customers, texts.

Everything the generator invents but does not draw at random lives here, so the data reads like
a real Chinese company's marketing department (company currency CNY).
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

#: The month the sample department workbooks report.
YEAR = 2026
PERIOD = "2026-10"
PERIOD_END = pd.Timestamp("2026-10-31")
#: The register starts here (contracts, collections, expenses, advances).
HISTORY_START = pd.Timestamp("2025-01-01")


@dataclass(frozen=True)
class DeptSpec:
    """One department: its file, name as written in the roster and Info sheet, language and cities."""

    key: str  # file name stem: dept-<key>.xlsx
    name: str  # Department as written in the roster and on the Info sheet
    lang: str  # language of the department workbook
    code: str  # prefix of document numbers (contracts, receipts, claims ...)
    number: int  # first digit of employee IDs
    cities: tuple[str, ...]  # cities the department works in, home city first
    size: float  # business volume multiplier


DEPARTMENTS: tuple[DeptSpec, ...] = (
    DeptSpec("east", "East China", "en", "EC", 1,
             ("Shanghai", "Hangzhou", "Nanjing", "Suzhou", "Ningbo", "Hefei"), 1.25),
    DeptSpec("north", "North China", "en", "NC", 2,
             ("Beijing", "Tianjin", "Jinan", "Qingdao", "Shijiazhuang", "Taiyuan"), 1.0),
    DeptSpec("south", "华南", "zh", "HN", 3, ("广州", "深圳", "厦门", "福州", "南宁", "海口"), 1.1),
    DeptSpec("west", "西部", "zh", "XB", 4, ("成都", "重庆", "西安", "昆明", "贵阳", "兰州"), 0.85),
)

#: The one department that carries the deliberate data problems (see problems.py).
PROBLEM_DEPARTMENT = "north"

#: City tiers for the expense policy ("1" first-tier ... "3" third-tier).
CITY_TIERS: dict[str, str] = {
    "Shanghai": "1", "Hangzhou": "2", "Nanjing": "2", "Suzhou": "2", "Ningbo": "2", "Hefei": "2",
    "Beijing": "1", "Tianjin": "2", "Jinan": "2", "Qingdao": "2", "Shijiazhuang": "3", "Taiyuan": "3",
    "广州": "1", "深圳": "1", "厦门": "2", "福州": "2", "南宁": "3", "海口": "3",
    "成都": "2", "重庆": "2", "西安": "2", "昆明": "3", "贵阳": "3", "兰州": "3",
}

#: (pinyin, hanzi); English departments write names in pinyin, Chinese ones in characters.
SURNAMES = (
    ("Wang", "王"), ("Li", "李"), ("Zhang", "张"), ("Liu", "刘"), ("Chen", "陈"), ("Yang", "杨"),
    ("Huang", "黄"), ("Zhao", "赵"), ("Wu", "吴"), ("Zhou", "周"), ("Xu", "徐"), ("Sun", "孙"),
    ("Ma", "马"), ("Zhu", "朱"), ("Hu", "胡"), ("Guo", "郭"), ("He", "何"), ("Lin", "林"),
    ("Luo", "罗"), ("Gao", "高"), ("Zheng", "郑"), ("Liang", "梁"), ("Xie", "谢"), ("Song", "宋"),
)
GIVEN_NAMES = (
    ("Wei", "伟"), ("Fang", "芳"), ("Na", "娜"), ("Min", "敏"), ("Jing", "静"), ("Qiang", "强"),
    ("Lei", "磊"), ("Jun", "军"), ("Yong", "勇"), ("Yan", "艳"), ("Jie", "杰"), ("Tao", "涛"),
    ("Ming", "明"), ("Chao", "超"), ("Xiuying", "秀英"), ("Xia", "霞"), ("Gang", "刚"), ("Hui", "辉"),
    ("Hao", "浩"), ("Ting", "婷"), ("Kai", "凯"), ("Peng", "鹏"), ("Zhiqiang", "志强"), ("Haiyan", "海燕"),
    ("Jianhua", "建华"), ("Xiaoming", "晓明"), ("Yifan", "一帆"), ("Zihan", "子涵"), ("Lina", "丽娜"),
    ("Wenjie", "文杰"), ("Shuang", "爽"), ("Bin", "斌"),
)
#: Approver of the department managers' own claims.
GENERAL_MANAGER = {"en": "Sun Jianguo", "zh": "孙建国"}

#: Product lines: name -> (royalty factor, gross margin). Names are brand codes, the same in both languages.
PRODUCT_LINES: dict[str, tuple[float, float]] = {
    "HX-Meter": (1.0, 0.28),
    "HX-Grid": (1.2, 0.35),
    "HX-Cloud": (1.5, 0.62),
    "HX-Service": (0.8, 0.45),
    "HX-Parts": (0.5, 0.18),
}

#: Words customers' names are made of.
CUSTOMER_WORDS = {
    "en": (
        ("Huaneng", "Xinyuan", "Dongfang", "Zhongke", "Jinhui", "Hengtong", "Tianrun", "Boyuan", "Ruida",
         "Kaixin", "Minsheng", "Shengda", "Yuantai", "Guoxin", "Changjiang", "Hongji"),
        ("Power Supply Co., Ltd.", "Electric Equipment Co., Ltd.", "Energy Technology Co., Ltd.",
         "Water Utilities Group", "Industrial Park Development Co.", "Smart City Investment Co.",
         "Property Management Co., Ltd.", "Manufacturing Co., Ltd."),
    ),
    "zh": (
        ("华能", "新源", "东方", "中科", "金辉", "恒通", "天润", "博远", "瑞达", "凯信", "民生", "盛达",
         "远泰", "国信", "长江", "宏基"),
        ("供电有限公司", "电气设备有限公司", "能源科技有限公司", "水务集团", "产业园开发有限公司",
         "智慧城市投资有限公司", "物业管理有限公司", "制造有限公司"),
    ),
}

#: Expense descriptions by category, "{city}" filled in.
EXPENSE_TEXT = {
    "en": {
        "Travel": "Client visit, {city}", "Accommodation": "Hotel, {city}", "Meals": "Meal allowance, {city}",
        "Entertainment": "Customer dinner, {city}", "Transport": "Taxi and metro, {city}",
        "Advertising": "Trade magazine advertisement", "Conference": "Product seminar, {city}",
        "Other": "Samples and courier",
    },
    "zh": {
        "Travel": "{city}客户拜访", "Accommodation": "{city}住宿", "Meals": "{city}出差餐补",
        "Entertainment": "{city}客户招待", "Transport": "{city}市内交通", "Advertising": "行业杂志广告",
        "Conference": "{city}产品推介会", "Other": "样品及快递费",
    },
}

ADVANCE_TEXT = {
    "en": ("Travel advance", "Trade show deposit", "Customer event", "Tender deposit"),
    "zh": ("差旅借款", "展会押金", "客户活动", "投标保证金"),
}

FORECAST_NOTES = {
    "en": ("Year-end collections push", "Includes tender deposits returned", "Spring Festival: slow month"),
    "zh": ("年末集中回款", "含投标保证金退回", "春节月份，回款偏慢"),
}

FEEDBACK_TEXT = {
    "en": {
        "Complaint": ("Delivery two weeks late", "Installation team left site untidy",
                      "Invoice issued with wrong tax rate"),
        "Suggestion": ("Customer asks for a mobile app for meter readings", "Offer a three-year service bundle",
                       "Provide training videos in the portal"),
        "Competitor": ("Competitor quoting 12% below our list price", "Competitor offers free installation",
                       "New local competitor in the tender"),
        "Market": ("Provincial grid upgrade budget approved", "Industrial parks moving to smart metering",
                   "Steel price increase expected next quarter"),
    },
    "zh": {
        "Complaint": ("交货延迟两周", "安装队现场未清理", "发票税率开错"),
        "Suggestion": ("客户希望提供手机抄表应用", "建议推出三年服务套餐", "门户网站增加培训视频"),
        "Competitor": ("竞品报价比我方低12%", "竞品承诺免费安装", "招标中出现新的本地竞争对手"),
        "Market": ("省电网改造预算已批复", "工业园区加快智能电表改造", "预计下季度钢材涨价"),
    },
}
