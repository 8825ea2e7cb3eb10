"""The demo's places: one district (today's demo), or a city of several
districts (`seed_demo --districts N`), each with streets of its own.

The names are Dalian's ten county-level districts and streets of each, so a
city of ten looks like one; the first district is the installation's
DISTRICT_NAME with the streets the one-district demo has always had."""

from dataclasses import dataclass, field

CITY = ("大连市", "210200")

STREETS = [
    "马栏街道",
    "春柳街道",
    "香炉礁街道",
    "西安路街道",
    "南沙河口街道",
    "星海湾街道",
    "李家街道",
    "黑石礁街道",
    "白山路街道",
]
PARKS = {
    "马栏街道": ["马栏专业市场"],
    "西安路街道": ["西安路商圈楼宇"],
    "黑石礁街道": ["沙河口科技园"],
    "星海湾街道": ["星海湾金融商务区"],
    "春柳街道": ["春柳工业园"],
    "香炉礁街道": ["香炉礁物流园"],
}

# The other districts of the city, in the order `--districts N` adds them:
# (name, 区划代码, streets, {street: parks}).
OTHER_DISTRICTS: list[tuple[str, str, list[str], dict[str, list[str]]]] = [
    (
        "中山区",
        "210202",
        ["海军广场街道", "人民路街道", "桃源街道", "老虎滩街道", "青泥洼桥街道", "葵英街道", "桂林街道", "昆明街道"],
        {"人民路街道": ["人民路金融楼宇"], "老虎滩街道": ["老虎滩文旅园区"]},
    ),
    (
        "西岗区",
        "210203",
        ["白云街道", "人民广场街道", "北京街道", "八一路街道", "日新街道", "站北街道"],
        {"人民广场街道": ["人民广场商务楼宇"], "日新街道": ["日新商贸市场"]},
    ),
    (
        "甘井子区",
        "210211",
        ["周水子街道", "椒金山街道", "甘井子街道", "泉水街道", "革镇堡街道", "红旗街道", "凌水街道", "大连湾街道"],
        {"凌水街道": ["高新技术产业园"], "革镇堡街道": ["革镇堡物流园"], "周水子街道": ["周水子商贸市场"]},
    ),
    (
        "旅顺口区",
        "210212",
        ["得胜街道", "光荣街道", "登峰街道", "市场街道", "水师营街道", "龙王塘街道", "铁山街道"],
        {"铁山街道": ["旅顺经济开发区"]},
    ),
    (
        "金州区",
        "210213",
        ["友谊街道", "拥政街道", "光明街道", "先进街道", "站前街道", "大魏家街道", "杏树街道", "董家沟街道"],
        {"董家沟街道": ["董家沟产业园"], "站前街道": ["站前商务楼宇"]},
    ),
    (
        "普兰店区",
        "210214",
        ["丰荣街道", "铁西街道", "太平街道", "皮口街道", "城子坦街道", "大刘家街道"],
        {"丰荣街道": ["普湾工业园"]},
    ),
    (
        "瓦房店市",
        "210281",
        ["祝华街道", "共济街道", "岗店街道", "文兰街道", "太阳街道", "长兴岛街道"],
        {"长兴岛街道": ["长兴岛临港工业区"], "共济街道": ["轴承产业园"]},
    ),
    (
        "庄河市",
        "210283",
        ["城关街道", "新华街道", "兴达街道", "昌盛街道", "青堆镇", "大郑镇"],
        {"兴达街道": ["庄河工业园"]},
    ),
    (
        "长海县",
        "210224",
        ["大长山岛镇", "小长山乡", "广鹿乡", "獐子岛镇", "海洋乡"],
        {"大长山岛镇": ["长海海产品市场"]},
    ),
]
MAX_DISTRICTS = 1 + len(OTHER_DISTRICTS)


@dataclass
class DistrictPlan:
    """One district to seed: its name and code, its streets and parks, and how many enterprises."""

    name: str
    code: str
    streets: list[str]
    parks: dict[str, list[str]]
    enterprises: int
    regions: dict = field(default_factory=dict)  # filled by the regions step


def district_plans(*, districts: int, enterprises: int, first_name: str) -> list[DistrictPlan]:
    """The districts of the demo and their share of the enterprises (the
    first districts take the remainder)."""
    others = [spec for spec in OTHER_DISTRICTS if spec[0] != first_name]
    specs = [(first_name, "210204", STREETS, PARKS), *others[: districts - 1]]
    share, extra = divmod(enterprises, districts)
    return [
        DistrictPlan(name=name, code=code, streets=streets, parks=parks, enterprises=share + (k < extra))
        for k, (name, code, streets, parks) in enumerate(specs)
    ]
