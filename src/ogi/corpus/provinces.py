"""The provincial-level division a report belongs to, when its agency's name or its title
says it (江苏省商务厅, 上海市科学技术委员会, 新疆维吾尔自治区…). A name that starts with a
city or county (淮安市洪泽区人民政府) says nothing of its province: None, not a guess."""

from __future__ import annotations

# Full name → the short forms names also begin with.
PROVINCES: dict[str, tuple[str, ...]] = {
    "北京市": ("北京",), "天津市": ("天津",), "上海市": ("上海",), "重庆市": ("重庆",),
    "河北省": ("河北",), "山西省": ("山西",), "辽宁省": ("辽宁",), "吉林省": ("吉林",), "黑龙江省": ("黑龙江",),
    "江苏省": ("江苏",), "浙江省": ("浙江",), "安徽省": ("安徽",), "福建省": ("福建",), "江西省": ("江西",),
    "山东省": ("山东",), "河南省": ("河南",), "湖北省": ("湖北",), "湖南省": ("湖南",), "广东省": ("广东",),
    "海南省": ("海南",), "四川省": ("四川",), "贵州省": ("贵州",), "云南省": ("云南",), "陕西省": ("陕西",),
    "甘肃省": ("甘肃",), "青海省": ("青海",), "台湾省": ("台湾",),
    "内蒙古自治区": ("内蒙古",), "广西壮族自治区": ("广西",), "西藏自治区": ("西藏",),
    "宁夏回族自治区": ("宁夏",), "新疆维吾尔自治区": ("新疆",),
    "香港特别行政区": ("香港",), "澳门特别行政区": ("澳门",),
}
# 吉林市 is a city of 吉林省, 海南藏族自治州 of 青海省: a short form must not be followed by these.
_NOT_AFTER_SHORT = {"吉林": ("市",), "海南": ("藏族", "州")}


def province_of(*names: str | None) -> str | None:
    """The full name of the province the first of `names` that begins with one names."""
    for name in names:
        if not name:
            continue
        text = "".join(name.split())
        for full, shorts in PROVINCES.items():
            if text.startswith(full):
                return full
            for short in shorts:
                if text.startswith(short) and not text[len(short):].startswith(_NOT_AFTER_SHORT.get(short, ())):
                    return full
    return None
