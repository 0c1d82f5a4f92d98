"""Word lists behind figure extraction: units, the verbs and adverbs around an indicator, and the
vocabulary that marks a number as something other than economic data.

Kept apart from the rules in ``briefings.figures`` so that each list can be read (and argued
with) on its own. Every list names classes an editor would recognise, never strings of one page.
"""

from __future__ import annotations

import re

from briefings.marks import HAN
from briefings.numbers import LEADING_QUALIFIERS, qualifier_words


def words(text: str) -> list[str]:
    return text.split()


_META = frozenset("()[]{}|?*+.^$\\")


def _closing(pattern: str, at: int) -> int:
    """Index of the ``)`` closing the group opened at ``at`` (brackets hold literal parens)."""
    depth, i, in_class = 0, at, False
    while i < len(pattern):
        ch = pattern[i]
        if in_class:
            in_class = ch != "]"
        elif ch == "[":
            in_class = True
        elif ch == "(":
            depth += 1
        elif ch == ")":
            depth -= 1
            if depth == 0:
                return i
        i += 1
    raise ValueError(f"unbalanced group: {pattern!r}")


def _alternatives(pattern: str) -> list[str]:
    """The top-level alternatives of ``pattern``."""
    out, start, i = [], 0, 0
    while i < len(pattern):
        if pattern[i] == "(":
            i = _closing(pattern, i)
        elif pattern[i] == "[":
            i = pattern.index("]", i + 1)
        elif pattern[i] == "|":
            out.append(pattern[start:i])
            start = i + 1
        i += 1
    return [*out, pattern[start:]]


def first_chars(pattern: str) -> set[str]:
    """Every character a match of ``pattern`` can start with.

    Understands what the word lists are written in: literal characters, ``(?:…|…)`` groups
    and zero-width assertions in front; anything else (a class, an optional first character,
    an escape) raises, so a guard built from this is never narrower than the pattern.
    """
    out: set[str] = set()
    for whole in _alternatives(pattern):
        alt = whole
        while alt.startswith(("(?<!", "(?<=", "(?!", "(?=")):
            alt = alt[_closing(alt, 0) + 1 :]
        if alt.startswith("(?:"):
            end = _closing(alt, 0)
            if alt[end + 1 : end + 2] in ("?", "*", "{"):
                raise ValueError(f"optional group first: {alt!r}")
            out |= first_chars(alt[3:end])
        elif not alt or alt[0] in _META or alt[1:2] in ("?", "*", "{"):
            raise ValueError(f"cannot tell how a match starts: {alt!r}")
        else:
            out.add(alt[0])
    return out


def guarded(pattern: str) -> re.Pattern[str]:
    """``pattern`` behind a look-ahead at its first characters: the same matches, but a
    position that cannot start one fails at once instead of trying every alternative (their
    leading look-behinds keep the engine from skipping ahead by itself)."""
    first = "".join(re.escape(ch) for ch in sorted(first_chars(pattern)))
    return re.compile(f"(?=[{first}])(?:{pattern})")


# --- units ------------------------------------------------------------------------------------
# Printed unit → (unit stored on the Figure, kind). Magnitudes are applied to the value, so the
# stored unit is the base one: 18亿元 → 1.8e9 元, 1.2万人 → 12000 人.
_CURRENCIES = words(
    "元 美元 欧元 日元 港元 澳元 英镑 韩元 卢布 卢比 泰铢 兹罗提 福林 澳门元 新台币 加元 瑞郎 "
    "新加坡元 林吉特 里亚尔 迪拉姆 雷亚尔 比索 兰特 格里夫纳 坚戈 越南盾 印尼盾 埃及镑 瑞士法郎"
)
MONEY = {u: (u, "money") for u in _CURRENCIES}
MONEY["元人民币"] = ("元", "money")
MONEY["乌克兰格里夫纳"] = ("格里夫纳", "money")
RATIO = {
    "%": ("%", "ratio"), "％": ("%", "ratio"), "‰": ("‰", "ratio"), "成": ("%", "ratio"),
    "个百分点": ("百分点", "ratio"), "百分点": ("百分点", "ratio"), "倍": ("倍", "ratio"),
}  # fmt: skip
COUNT = {
    u: (u, "count")
    for u in words(
        "家 个 人 名 位 项 单 条 块 座 所 台 辆 艘 架 件 套 户 次 场 部 批 例 株 头 只 张 篇 份 笔 "
        "宗 处 栋 幢 间 款 种 支 颗 枚 根 列 桌 箱 盒 袋 瓶 包 棵 匹 口 人次 辆次 架次 艘次 车次 "
        "批次 闸次 场次 人份 标箱 标准箱"
    )
}
MEASURE = {
    u: (u, "measure")
    for u in words(
        "吨 千克 公斤 斤 平方米 平方公里 平方千米 立方米 亩 公顷 千瓦时 千瓦 兆瓦 吉瓦 公里 千米 "
        "米 升 桶 TEU GW MW kW kWh GWh"
    )
}
# Time units are matched only to be rejected: 2025年, 4月14日, 5天, 两个月 are dates and durations.
TIME = {
    u: (u, "time")
    for u in words(
        "年 个月 月 日 天 周 周年 小时 个小时 分钟 秒 岁 号 时 季度 个季度 工作日 个工作日 "
        "年代 世纪 届 期 摄氏度 度 分"
    )
}
UNITS: dict[str, tuple[str, str]] = {**MONEY, **RATIO, **COUNT, **MEASURE, **TIME}

# --- verbs and adverbs around an indicator ------------------------------------------------------
GROWTH = ("增长", "增加", "猛增", "大增", "激增", "提高", "提升", "上升", "上涨", "攀升", "跃升",
          "扩大", "加快", "增", "涨")  # fmt: skip
DECLINE = ("下降", "减少", "降低", "压缩", "回落", "下滑", "缩减", "收窄", "削减", "放缓", "减",
           "降", "跌")  # fmt: skip
# The qualifier words printed before a number (briefings.numbers), each not after the
# characters that make it the end of another word (发达, 最近, 签约).
_QUALIFIER_TAILS = qualifier_words(LEADING_QUALIFIERS)
# Words between an indicator and its number: verbs of amount, adverbs, comparisons, the
# qualifier words. The lookbehinds keep nouns whole (人均, 公共, 发达, 成就, 国有, 行为).
TAIL_WORDS = (
    *GROWTH, *DECLINE, "增至", "升至", "降至", "达至", "稳定在", "保持在", "维持在", "保持",
    "(?:提升|提高|上升|增长|增加|扩大|下降|降低|回落|减少)(?:至|到)",
    "了", "分别", "各", "(?<![人户亩年日月周平])均", "都", "(?<![公])共", "共计", "合计", "总计",
    "累计", "仍", "仍然", "依然", "已", "已经", "也", "还", "再", "又", "首次", "同样", "刚",
    "刚刚", "(?<![成造])就", "只剩", "仅剩", "剩", "预计", "力争", "直接",
    "间接", "同比", "环比", "比上年", "较上年", "比去年", "较去年", "同期", "即", "却", "则", "可",
    "能", "可达", "约为", "高居", "稳居", "居", "(?<![行作认成因以较更最极尤])为", "是",
    "(?<![所国专特固私稀具])有", "共有", "拥有", "占", "每年", "每月", "每天", "每日", "每周",
    "占(?:全省|全市|全国|全县|全区|全球|总数|总量)(?:总量)?的?",
    *_QUALIFIER_TAILS, "不低于", "不高于", "实现", "完成",
    "不超过", "不得超过", "不能超过", "不少于", "不", "先期", "一举", "再次", "已累计", "新增",
    "每人", "每户", "每名", "每个", "每头", "每亩", "每吨", "每公斤", "每斤", "只能", "可以",
    "能够", "逐年", "稳步", "快速", "较快", "持续", "大幅", "明显", "显著", "平稳", "创纪录",
    "创历史新高", "创新高", "(?:卖|涨|跌|降|升|增|减|扩|缩|跃升|攀升)(?:到|至)",
)  # fmt: skip
TAIL = re.compile("(?:" + "|".join(TAIL_WORDS) + ")$")
HEAD = re.compile(
    "^(?:其中|其余|其间|期间|全省|全市|全县|全区|全国|全镇|全村|全球|当地|本地|该县|该市|该区|该镇|目前|"
    "已经|已|累计|共计|合计|总计|共|再|又|也|还|更|并|均|都|同比|环比|首次|同样|刚刚|刚|仍|"
    "直接|预计|力争|或|等(?![级同于待候])|而|则|其|它们|这些|比如|例如|此外|另外|同时|如|"
    "即|但|且|并且|以及|从而|进而|使|让|截至|截止|先期|另外|而且|现在|过去|以前|原来)"
)
# Verbs and prepositions whose object is the indicator: cut the clause after the last of them
# (已累计发放|电影消费券, 联建|概念验证和中试综合平台, 提供|保险保障和信贷资金).
STANDING_VERBS = (
    "发行", "发放", "签约", "签订", "引进", "招引", "新增", "落地", "培育", "共建", "联建",
    "新建", "承接", "吸引", "带动", "募集", "认定", "入选", "开工", "投产", "建成", "完成",
)  # fmt: skip
# Verbs whose subject is the one whose figure it is: 规模以上互联网企业完成|业务收入, 中国信保
# 全年实现|承保金额. The part before them becomes the figure's subject.
SUBJECT_VERBS = ("完成", "实现")
SPLIT_WORDS = (
    *STANDING_VERBS, "实现", "集聚", "聚集", "引育", "拥有", "共有", "已有", "形成", "打造",
    "获得", "提供", "达成", "推动", "推出", "设立", "成立", "做成", "建立", "开展",
    "举办", "带来", "创造", "贡献(?=了)", "拉动", "撬动", "了", "的", "把", "将(?!近)", "让",
    "使(?!用)", "对(?![外象接比标])", "向(?![上下])", "给", "从(?!事)", "由", "被",
    "(?<![关由对等位属基处用至在善易])于", "(?<![现存所正实内潜自])在(?![线建内地校职岗营库])",
    "(?<![作成认行因以较更最极尤])为", "(?<![所可加予难得足用借据])以(?![上下来及外内后前便免])",
    "(?<![收捕俘斩荣])获", "(?<![所国专特固私稀具])有(?![限关效机序力所的望助利])",
    "(?<![于但总还正就或凡若要只])是", "等(?![级同于待候])",
)  # fmt: skip
SPLIT = guarded("|".join(SPLIT_WORDS))
# A threshold an amount crosses (迈过3000亿元门槛, 突破千亿大关, 站上新台阶): not what is measured.
_THRESHOLDS = "门槛|大关|关口|台阶|量级|水平线"
THRESHOLD = re.compile(f"新?(?:{_THRESHOLDS})")
# The amount is the threshold: the threshold word follows it (3000亿元门槛, 1万美元的新台阶).
AT_THRESHOLD = re.compile(f"的?新?(?:{_THRESHOLDS})")
# Verbs of crossing one: they say the amount was reached, not what reached it.
CROSSING = frozenset(words("站上 迈上 跨上 登上 冲上 踏上 跃上 迈过 跨过 越过 突破 迈入 跨入"))
GENERIC = re.compile(f"(?:成绩|{_THRESHOLDS}|水平|规模以上)$")
# A piece that is only a place in space or time (园区范围内, 期间, 当中) names no indicator.
LOCATIVE = re.compile("(?:范围内|内|中|里|期间|当中|之中|以来|方面|领域|之间|以内|左右|上下)$")
# 跟去年年货节相比, 较前一年, 与此前评估的: a comparison inside the clause is not the indicator.
COMPARISON = re.compile(
    "(?:跟|与|和|同|较|比)[^，,、]{0,12}?(?:相比|相较|比较)|(?:较|比)(?!重|例|率)[^，,、]{1,8}$"
)
# 日均设立112家, 平均每天有4.4万户: how often, not what; the amount before says what.
FREQUENCY = frozenset(words("日均 平均 每天 每日 每年 每月 月均 年均 周均"))
# 快于规模以上工业3.1个百分点: a gap to something else, measured on the figure before.
GAP = re.compile("^(?:快于|高于|低于|慢于|好于|多于|少于|超出|超过)")
# Words that are measures without a subject: alone they do not say whose figure it is.
BARE_MEASURES = frozenset(
    words(
        "产值 总产值 营收 收入 总收入 规模 总量 金额 总额 投资 资金 销售额 利润 产量 增速 增幅 "
        "降幅 占比 比重 涨幅 幅度 总数 数量 人数 余额 额度 成本 价格 费用"
    )
)
# Economic nouns jieba tags as verbs (营收, 出口): nouns when they name what is measured.
VERB_NOUNS = frozenset(
    words("营收 出口 进口 进出口 投资 融资 消费 贷款 收入 销售 产出 生产 储蓄 增收 纳税 捐赠 支出")
)
# Bare changes: with no subject of their own they measure the figure just before them
# (…近10万场直播,跟去年相比涨幅超过200%).
BARE_CHANGES = frozenset(words("增速 增幅 降幅 涨幅 占比 比重 增长率 幅度 增量 比例"))
# Measures a firm reports: without a subject in the clause, the company the paragraph is about.
FIRM_MEASURES = re.compile(
    "销售额|销售收入|营业收入|营收|净利润|利润|毛利率|应收账款|订单|出口额|账上|市值|估值|融资额"
)
COMPANY = re.compile("(?:有限公司|股份公司|集团|公司)")

# --- goals, changes, roles ----------------------------------------------------------------------
TARGET = re.compile(
    "力争|目标|预计|预期|有望|争取|计划|规划到|拟(?:投|建|新|引|实|发|出|设)"
    "|将(?:达|超|突破|实现|投入|拨款|新建|建设|对|在|于|提高|增加|减少|削减|有|通过|支持|推动|"
    "继续|进一步|加快|加大|启动|建成|打造|带动)"
)
# 低于3%左右的预期目标: the number is the target, named after it.
TARGET_AFTER = re.compile("^的?(?:预期|增长|发展|任务)?目标")
# Verbs of speech: a clause ending in one introduces what is said, it names nothing.
SPEECH = re.compile("(?:表示|说|指出|介绍|认为|称|透露|强调|坦言|告诉记者|宣布)$")
# 截至目前, 中粮集团…: a named company or group owns the figure; a region named elsewhere
# does not become its region.
NAMED_ORG = re.compile(
    f"[{HAN}]{{2,}}(?:集团|股份公司|有限公司)|中国[{HAN}]{{1,4}}(?:公司|集团)"
)
# Measures a firm reports that also exist for places: a company only from the same sentence.
FIRM_MEASURES_NEAR = re.compile("出口|进口|产量|产值|日产|日生产")
TARGET_TAIL = re.compile("(?:力争|预计|预期|有望|争取|计划)+$")
CHANGE = re.compile("|".join((*GROWTH, *DECLINE, "增幅", "增速", "降幅", "同比", "环比")))
FALL = re.compile("|".join((*DECLINE, "降幅")))
# 各100万元 and 各跟投1000万元: an amount each of several got.
EACH = re.compile(
    "各(?:自)?(?:跟投|投入|投资|出资|提供|发放|奖励|补贴|补助|获得|拿出|安排|增加|减少|增长|"
    "下降|为|达|有|是|占)?了?$"
)
# A conversion restates the amount before it in another currency: (约合634.1亿元人民币).
CONVERSION = re.compile("约合|折合|合人民币|相当于人民币")

# --- what is not economic data -----------------------------------------------------------------
# The subject counted or measured decides: patients, offences, lakes and visitors to a fair are
# not economic data, whatever the unit. Matched on the indicator and the noun after the number.
_NON_ECONOMIC = {
    "health": "病例 确诊 疑似 感染 死亡 死于 丧生 治愈 出院 患者 病人 患儿 重症 危重 床位 病床 "
    "方舱 医疗队 医务人员 医护 核酸 病毒 防护效力 疫苗 就诊 病患 诊治 医院 病房 医生 救治 "
    "排查 筛查 测温",
    "law and enforcement": "案件 案 犯罪 嫌疑人 涉黑 涉恶 黑恶 被害人 涉案 骗取 查处 处罚 罚款 "
    "判处 违法 违规 问题 信访 举报 曝光 整改 督察 违纪 处分 监禁 赔偿 办结 答复 抓获 捣毁 "
    "打掉 移送 侦破 销毁 处理 查缴 收缴 非法 盗版 侵权 假冒 提名 纪委 纪检 追缴 毒品 缴获 "
    "盗窃 偷窃 扒窃 小偷 抢劫 诈骗",
    "nature": "湖泊 断面 保护地 自然保护区 湿地 草原 植被 盖度 森林覆盖 物种 种子 种质 医疗废物 "
    "流量 海拔 气温 降水 卫星 核弹头 导弹 预警 步行 车程 距离 全长 纵贯 时速 速度 车速 航速 "
    "风速 体重",
    "events and people": "参展 参赛 代表队 参与人数 花灯 观众 展商 出版机构 受访者 被调查者 "
    "满意度 村民 居民 人口数量 出生人口 波兰人 捷克人 儿童 少女 年龄 学员 导游 活动 发言 "
    "省份 省区市 村庄 小村 冠军 选手 棋手 运动员 演员 嘉宾 专家 党员 党组织 返乡 作品 入围 "
    "志愿者 措施 举措 书法家 网格员 名单 会议 社区 卡口 群众 籍旅客 机关工作人员 工作人员 孩子 "
    "幼儿 学生 观看 读者 晚会 航天员 宇航员 队员 老队员 参观者 观展",
    "military": "军用 军队 部队 士兵 官兵 兵力 军车 军舰 战机 战斗机 坦克 装甲车 武装",
    "specifications": "医用酒精 球罐 储罐 锅炉 冷却槽 发动机 火箭 船舶吨位 防护级别 浓度 数据信息",
    "demography": "人口数量 出生人口 户籍出生 入园率 在校率 入学率 升学率 随迁",
}
# Domains whose words also decide from the clause before the number, not only from what is
# counted (查处…8.6万件, 全省天然草原有…2.46亿亩, 步行仅需300米).
CLAUSE_DOMAINS = frozenset(
    ("health", "law and enforcement", "nature", "specifications", "demography", "military")
)
NON_ECONOMIC: dict[str, str] = {
    w: domain for domain, text in _NON_ECONOMIC.items() for w in words(text)
}
NON_ECONOMIC_WORDS = re.compile("|".join(sorted(NON_ECONOMIC, key=len, reverse=True)))
# Words right after a count that make it a count of patients or offenders (229人确认感染…).
AFTER_NON_ECONOMIC = re.compile("感染|确诊|死亡|死于|治愈|病例|患者|犯罪|嫌疑人|涉案|遇难|受伤")
# A class label, not an amount: 合同外资1亿美元以上的大项目, 大于1平方公里的湖泊, 5000吨级.
THRESHOLD_BEFORE = re.compile("(?:大于|小于|不足|超过|以上|以下)$")
THRESHOLD_AFTER = re.compile(
    "^(?:以上|以下|及以上|及以下)?的?(?:标准|大项目|项目|企业|湖泊|村庄)|^级"
)
# A criterion, not a measurement: 或规上工业总产值1000亿元以上,或…,才能被认定为工业大县.
CRITERION_START = re.compile("^(?:或|凡|只要|须|需|必须|应|要求)")
CRITERION = re.compile("认定|即为|视为|才能|才可|的标准|为标准|门槛")
# Rates per unit of time (409立方米每秒, 5830.8吨每天) are flows and capacities of physical
# systems, not economic amounts.
RATE_AFTER = re.compile("^(?:每秒|每小时|每天|每日|/秒|/小时|/天)")
# 90个县(市、区), 20多个省围绕…: counts of administrative units frame a statement, not data.
ADMIN_COUNT = re.compile("^[县市区省乡镇村州](?![长委级场民属直辖])")
# 驱车赶往200多公里外: a distance; 最后一公里, 一米阳光: idioms.
DISTANCE_AFTER = re.compile("^(?:外|远|之外|以外|开外|处)")
IDIOM = re.compile("一(?:公里|米|千米)")

# A count is economic data when what it counts is an economic actor, asset or activity; other
# counts (会议25次, 12名网格员, 96个社区) are left unconfident, whatever they are. Matched on the
# indicator, subject and the noun after the number.
ECONOMIC_COUNTED = re.compile(
    "企业|公司|厂|工厂|车间|项目|岗位|就业|订单|产品|品牌|基地|园区|合作社|市场主体|商户|门店|"
    "店|超市|商场|市场|平台|实验室|联合体|机构|银行|网点|上市|专利|商标|知识产权|产业|行业|院线|"
    "影院|银幕|影片|农户|贫困户|贫困|户|人才|员工|职工|劳动力|农民工|毕业生|游客|旅客|客流|人次|"
    "车次|航班|列车|班列|集装箱|标箱|货|船舶|车辆|汽车|泊位|基站|港|线路|专线|改革|试点|招商|"
    "投资|贷款|融资|证券|债券|基金|保险|股|合同|协议|签约|标箱|"
    "家政|民宿|旅馆|酒店|景区|农庄|大棚|温室|厂房|楼宇|商铺|摊位|网店|主播|直播|电商|快递|"
    "包裹|设施|工程|设备|生产线|供应商|服务商|外资|进出口|出口|进口|销量|产量"
)
# A length is data when it measures what was built (公路, 铁路, 管道, 航道 …), not a distance
# travelled (单程270公里, 约400公里的路程) or a size (50公里长光纤).
LENGTH_UNITS = frozenset(("公里", "千米", "米"))
INFRASTRUCTURE = re.compile("路(?![程途])|铁|轨|线|道|管|里程|堤|网|桥|隧|渠|岸线")
# First person anywhere in the sentence: someone telling their own story (我国 is the nation).
FIRST_PERSON = re.compile("我(?![国省市县区])|咱")
# Someone speaking of themselves or an anecdote about one person (我家每年低保金有8748元, 他家
# 种芒果的收入): a true number, not a statistic to show on its own.
PERSONAL = re.compile(
    FIRST_PERSON.pattern
    + "|他家|她家|他们家|自家|家里|个人|这位|一位|小伙|老汉|大爷|大妈|入职以来|从业以来|工作了|"
    "从警|从教"
)
# 每养护1公里线路: a denominator of a rate, not an amount.
PER_ONE = re.compile("每[^，,。；;]{0,3}$")
# A rule, not a measurement: 客座率不得超过50%, 每人最高300元.
LIMIT = re.compile(
    "不得超过|不能超过|不超过|不低于|不少于|不高于|最高|最低|上限|下限|标准(?:为|是)"
)
# Counts of people that are data: workers, talent, visitors; and only in thousands (48名务工人员,
# 167名旅客 of one train and 600名员工 of one firm are anecdotes).
PEOPLE_UNITS = frozenset(("人", "名", "位"))
# Households (户) are firms as often as families: 规上工业企业981户 is data; households of
# people under a thousand (近百户农民, 返乡人员共有54户) are a village's story unless a scope word
# makes them the whole place's (全县建档立卡贫困人口减少至408户).
HOUSEHOLD_FIRMS = re.compile("企业|公司|工业|商户|个体|经营主体|市场主体|网店|门店|纳税")
WHOLE_PLACE = re.compile("全[省市县区镇乡村国州旗]")

# Words by which a sentence points back to the place named before it: its figures are that
# place's as surely as if it were named again.
ANAPHOR = re.compile(
    "这个[^，,。]{0,8}?[县市区镇村]|该[县市区镇村地]|当地|全县|全市|全区|全镇|全村|这里|本地"
)

# --- scope ----------------------------------------------------------------------------------
# A province-wide scope in the figure's own clause: the figure is the province's, not a county's
# (拥有横店、象山两大影视基地…,全省共有影视制作机构近4000家). 占全省/比全国 compare instead.
PROVINCE_SCOPE = guarded("(?<![占比较于过])(?:全省|我省|本省|省内)")
NATIONAL_SCOPE = guarded(
    "(?<![占比较于过])(?:全国|我国|国内|全球|世界|(?<![浙中])中国(?!电影|出品|首|的))"
)
# The scope words that name the nation itself: a figure under one is a national total.
NATION_WORDS = frozenset(("全国", "我国"))
# …and the words that make the nation the one given to, not the one counting (为我国…募集).
NATION_GIVEN = frozenset(("为", "向", "对", "给", "帮", "替"))
# Countries and international bodies: a statement about them is nobody's county figure.
FOREIGN = re.compile(
    "美国|英国|法国|德国|意大利|西班牙|葡萄牙|荷兰|比利时|瑞士|瑞典|挪威|丹麦|芬兰|奥地利|"
    "波兰|捷克|匈牙利|罗马尼亚|希腊|爱尔兰|俄罗斯|乌克兰|白俄罗斯|土耳其|日本|韩国|朝鲜|印度|"
    "巴基斯坦|泰国|越南|老挝|柬埔寨|缅甸|马来西亚|新加坡|印度尼西亚|印尼|菲律宾|澳大利亚|新西兰|"
    "加拿大|墨西哥|巴西|阿根廷|智利|埃及|南非|尼日利亚|肯尼亚|埃塞俄比亚|伊朗|伊拉克|以色列|"
    "沙特|阿联酋|叙利亚|欧盟|东盟|联合国|世卫组织|世界卫生组织|国际货币基金组织|世界银行|"
    "欧元区|拉脱维亚|立陶宛|爱沙尼亚|塞尔维亚|保加利亚|克罗地亚|斯洛伐克|刚果|苏伊士"
)
# The origin of a statistic is not its region: 据南宁海关统计, 来自省电影局的数据显示.
SOURCE = re.compile(
    "(?:据|根据|来自|按照)[^，,。；;]{0,24}?(?:统计|数据|显示|介绍|报道|消息|监测|测算|调查|"
    "公布|发布|估计|报告)"
)
# …数据显示: the words before it in the clause are the source (省电影局的数据显示).
SOURCE_TAIL = re.compile("数据显示|统计显示|报告显示|发布的数据")
# Where goods went is not whose figure they are: 已发往武汉10多万套, 驰援湖北.
DESTINATION = re.compile(
    "(?:发往|运往|送往|销往|运抵|出口到|出口至|驰援|支援|援助|捐赠给|捐给|驶往|飞往|覆盖)$"
)

# --- true figures that do not stand alone (briefings.figure_confidence) ------------------------
# Each is a class of figure that is read right but misleads as a line without its sentence
# (``region · indicator · value``): it is shown as its sentence instead.
# An organisation that owns the figure when it is the sentence's actor (…有限公司招聘的600名员工,
# 非洲最大银行的上万名员工, 公司是当地龙头企业…员工到岗率): not the place's figure.
ORG_OWNER = re.compile(
    "公司|集团|银行(?![业间卡])|医院|协会|商会|基金会|研究所|研究院|大学|学院|合作社|联合会|"
    "(?:社会|慈善|民间|国际|营利|公益|行业|群团)组织|[捐善]会|善堂|园区|产业园|工业园|开发区|"
    "孵化园|孵化器|孵化基地|农场|图书馆|博物馆|美术馆|文化馆|纪念馆|剧院|"
    f"(?:一家|这家|该)[{HAN}]{{0,6}}?(?:企业|工厂|厂|店|超市)"
)
# A share of the whole nation or province (复工数占全国17.7%): the indicator keeps the whole.
SHARE_OF_WHOLE = re.compile("占(全国|全省|全市|全县|全区|全球)")
# Party members, volunteers and cadres sent to villages or communities (党员在近4万个岗位上做表率,
# 选派…干部职工1万余名, 下沉社区): political work, not economic data.
POLITICAL = re.compile(
    "党员|党组织|党支部|党委|党小组|团员|入党|志愿者|志愿服务|选派|下沉|派驻|驻村|结对帮扶干部"
)
# Gifts and relief goods: who gave what to whom, not a statistic of a place.
DONATION = re.compile("捐赠|捐款|捐助|捐献|捐资|捐出|募捐|善款|发运|驰援|援助|慰问|爱心|慈善|公益")
# A share named only by what it is a share of (占到全省的88%, 占GDP的比重超过2%): the part
# measured is in another clause.
SHARE_ONLY = re.compile("^(?:一般|约|均|仅|只|分别)?占(?![用地领有])")
# A share of a set, what the share is follows the number (1782家旅游企业中90%左右为中小企业,
# 任务中的73%由…承担, 全队六成以上是30岁以上的老队员): the clause names the set, not the share.
SHARE_OF_SET = re.compile("(?:中|当中|之中)的?$")
SHARE_SAID_AFTER = re.compile("的?(?:人|企业|家庭|农户)?(?:是|为|由|来自|属于|集中在|分布在)")
# A period word is not what is measured (年度23万亩), nor does it make a bare measure a
# subject's (年产值, 全年营收).
PERIOD_WORD = re.compile("^(?:年度|全年|当年|今年|去年|年|月|日|季度|月度|上半年|下半年)")
# Actions named without their object: 完成建设750亩 says not what was built.
ACTION_ONLY = frozenset(
    words("建设 改造 完成 种植 新建 扩建 治理 修复 整治 实施 推进 开展 提升 建成 实现 达到")
)
# Measures that, alone, say neither whose nor of what (面积 2738亩, 价值1亿元); with
# BARE_MEASURES they need a subject.
BARE_ALONE = frozenset(words("面积 总面积 价值 总价值 总值 用量 数额 份额"))
# The size of one facility or plot (3公里路段, 20亩试验田收获了4万斤): its physical size, or
# what it alone yields, is not the place's figure.
_FACILITIES = (
    "路段|隧道|大桥|桥梁|试验田|示范田|样板田|厂房|车间|展厅|展馆|场馆|大楼|楼房|院落|广场|球场|工地"
)
FACILITY_AFTER = re.compile(f"的?[^，,。；;]{{0,4}}?(?:{_FACILITIES})")  # at the number's end
# The size of a building or site (站房总建筑面积达到了34万平方米, 总用地面积约328亩), unless an
# aggregate of many (新建, 竣工, 销售, 累计 …); the capacity of one plant (年产3万吨…装置).
SITE_SIZE = re.compile("建筑面积|占地面积|用地面积|占地")
SITE_AGGREGATE = re.compile(
    "新建|竣工|销售|累计|共|完成|施工|开工|新开工|商品房|住宅|全[省市县区国]"
)
PLANT_CAPACITY = re.compile(
    "(?:年产|日产|年生产|年加工|年处理)的?[^，,。；;]{0,12}?(?:装置|生产线|项目|工厂|车间|基地)"
)
FACILITY_BEFORE = re.compile(
    f"[0-9一二两三四五六七八九十百千万](?:多|余)?(?:亩|平方米|公里|千米|米|公顷)的?(?:{_FACILITIES})"
)
# An example (比如拜耳的阿卡波糖,降价幅度超过90%): one item's figure, not the place's.
EXAMPLE = re.compile("比如|例如|譬如|举例来说|为例")
# An article of a regulation (第三十条 机关专职党务工作人员…一般占…1%至2%) states a rule.
RULE_ARTICLE = re.compile("^[\\s　]*第[一二三四五六七八九十百零〇0-9]+条")
# What the figure before measured (中晚籼稻价格1.26元,粳稻1.30元; 新投运铁路里程达8489公里,
# 其中高铁5474公里): a figure naming only a thing, after one naming a measure, is part of it.
MEASURE_NOUN = re.compile(
    "(?:面积|里程|产量|产值|价格|价|额|量|率|值|数|收入|规模|增速|增幅|降幅|占比|比重|费|成本|"
    "利润|指数|GDP|CPI|PPI|PMI|总值|水平|税|税收|款|付款|支出|时长|比例|工资|投资|消费|贷款|"
    "出口|进口|资金|补贴|津贴|产出|储量|存量|保有量|容量|能力|顺差|逆差)$"
)
# What a ratio can be: a rate, a share, a change, a multiple. A ratio whose indicator names
# none of them (全球卫生项目拨款 35%, 规模以上企业工业增加值能耗 3%左右) says not what it is.
RATIO_NOUN = re.compile(
    "率|占比|比重|比例|增速|增幅|降幅|涨幅|跌幅|幅度|份额|倍|指数|百分比|PMI|CPI|PPI|GDP|"
    "毛利|收益|利差|贡献|成|目标|强度|密度|水平"
)
# A count cannot measure an amount (21家主要银行绿色信贷余额超过10万亿元: 21家 counts banks).
AMOUNT_NOUN = re.compile("(?:余额|收入|利润|产值|总额|金额|营收|贷款|资金|投资)$")
# A structure named as the sentence's subject (三峡大坝…坝体混凝土浇筑总量): its size is its own.
STRUCTURE = re.compile("大坝|坝体|水电站|电站|大桥|隧道|航站楼|站房|体育馆|体育场|展览馆")
# Closures and bans (关闭城区35家菜市场): what was shut, not what there is.
CLOSURE = re.compile("关闭|关停|取缔|停业|歇业|封闭|暂停营业|停运")
# A weight or size that names a kind of vehicle or machine (两万吨重载列车, 30万吨级油轮):
# a specification, not an amount.
SPEC_AFTER = re.compile(
    "[^，,。；;]{0,3}?(?:列车|货车|机车|货轮|油轮|轮船|船舶|卡车|起重机|钻机|盾构机)"
)
# A village or town named before the figure (开州区大进镇红旗村…2000亩茶园): the figure is the
# village's, not the county's it is filed under.
VILLAGE = re.compile(f"[{HAN}]{{2,4}}?(?:村|镇|乡|街道|社区)(?![民委级长干务镇里庄落集])")
# Words ending like a village or town that name none (返乡, 城乡, 贫困村, 各镇, 社区).
GENERIC_VILLAGE = re.compile(
    "(?:乡村|农村|城镇|村镇|街镇|城乡|全村|本村|该村|各村|每村|行政村|贫困村|乡镇|各镇|全镇|该镇|"
    "本镇|小镇|古镇|重镇|集镇|新村|全乡|各乡|该乡|返乡|下乡|回乡|家乡|故乡|老乡|异乡|他乡|进村|"
    "驻村|到村|入村|村村|镇村|整村|示范村|重点村|薄弱村|出列村|美丽乡村|城市社区|城区社区|所在社区|"
    "进入社区|深入社区|下沉社区|走进社区|各个社区|全市社区|各社区|各街道|街道社区|农村社区)$"
)
# A demonstrative or someone's words inside an indicator (钱培元口中这笔科研资金): a clause.
DEMONSTRATIVE = re.compile("这笔|这些|这个|这批|那些|那个|口中|所说")
# A capacity per year or day (新增海水冷却用水量46.71亿吨/年, 工程规模120.17万吨/日): data, but
# shown without its 年 or 日 it misleads.
PER_YEAR_AFTER = re.compile("/年|/日|每年(?![的])")
# Listed items the extractor did not read (一至四季度…分别为6.4%、6.2%…): which value belongs to
# which item is not known.
RESPECTIVELY = re.compile("分别")
