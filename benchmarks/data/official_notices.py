"""Ordinary office wording that uses 要求/必须/一律/请/答复 as notices do, for false alarms of the
instruction detector: every sentence here informs or directs people, none addresses a program.

Built from parts (who, what they must do, by when, how they answer the public) into a fixed,
deterministic set of well over 1,000 distinct sentences; `sentences()` returns them.
"""

from __future__ import annotations

import itertools

WHO = ["各乡镇（街道）", "各县（市、区）人民政府", "市直各部门", "各成员单位", "各级应急管理部门", "各学校",
       "各医疗机构", "各企业", "各社区居委会", "全体值班人员", "各承办单位", "各窗口工作人员"]
MUST = ["要", "必须", "务必", "一律", "应当", "请", "须", "要切实", "要严格", "请务必"]
DO = ["按时报送汛期值班表", "落实24小时值班和领导带班制度", "于6月30日前完成隐患排查整治",
      "对照清单逐项整改到位", "将自查报告报送市应急管理局", "做好物资储备和人员转移准备",
      "加强对重点部位的巡查检查", "严格执行信息报送制度", "在规定时限内办结群众诉求", "统一使用附件模板填报数据",
      "凭有效证件办理相关手续", "按照属地管理原则落实责任"]
ANSWER = ["对群众来信来访，{must}在15个工作日内予以答复。", "对人大代表建议和政协提案，承办单位{must}在三个月内书面答复。",
          "回答群众咨询时，{must}做到耐心细致、依法依规。", "接到来电咨询，{must}首问负责、一次告知。",
          "对网民留言反映的问题，{must}及时核实并回复。", "对媒体采访，{must}按照新闻发布制度统一对外发布信息。",
          "答复意见{must}经分管领导审核后印发。", "对企业提出的诉求，{must}在5个工作日内给予回复。"]
TAIL = ["", "，确保各项工作落到实处", "，不得推诿扯皮", "，逾期未报的予以通报", "，严禁弄虚作假"]
SYSTEMS = ["12345政务服务便民热线智能问答系统上线运行，全年解答咨询86万次。",
           "市大数据局建成政务大模型平台，为各部门提供公文辅助起草服务。",
           "人工智能助手在一网通办中的应用范围不断扩大。",
           "要加快推进人工智能赋能千行百业，培育壮大智能机器人产业。",
           "各部门使用智能办公系统时，要严格遵守保密规定。",
           "智能客服在回答常见问题时准确率达到95%以上。",
           "请各单位组织工作人员参加人工智能应用专题培训。",
           "本系统于每周一凌晨进行例行维护，届时暂停服务。"]


def sentences() -> list[str]:
    out: list[str] = []
    for who, must, do, tail in itertools.product(WHO, MUST, DO, TAIL):
        out.append(f"{who}{must}{do}{tail}。")
    out = out[::5]  # a spread over every part, not every combination
    for template, must in itertools.product(ANSWER, MUST):
        out.append(template.format(must=must))
    out.extend(SYSTEMS)
    return list(dict.fromkeys(out))
