from __future__ import annotations

from assistant.answer.gate import gate
from assistant.core.records import Chunk, Hit
from assistant.text.names import core, mentioned, names_in, place_conflict, places_in


def test_names_and_places():
    assert names_in("佛山市的数字经济增速是多少？") == ["佛山市"]
    assert core("佛山市") == "佛山" and core("市") == "市"
    assert "浙江" not in places_in("浙江省宁波市")  # provinces are context, not a rival place


def test_place_conflict():
    assert place_conflict("佛山市增速？", "宁波市增速达16.4%") == ("佛山市", "宁波")
    assert place_conflict("宁波增速？", "我市增速达16.4%") == ("", "")
    assert place_conflict("宁波增速？", "宁波市增速达16.4%") == ("", "")


def test_gate_refuses_names_absent_from_the_documents():
    h = Hit(Chunk("c", "a.txt", "t", "宁波增速达16.4%", 0, 10, 1), 1.0, 0.5, 1.0)
    said = lambda name: mentioned(name, "宁波增速达16.4%")  # noqa: E731
    assert "深圳" in gate("深圳市的增速是多少？", [h], said, min_dense=0.0)
    assert gate("宁波市的增速是多少？", [h], said, min_dense=0.0) == ""
    assert gate("增速？", [], said, min_dense=0.0) != ""


def test_a_locative_glued_to_the_next_word_is_no_name():
    from assistant.answer.claims import terms
    from assistant.text.names import names_in, places_in

    assert names_in("为什么这个市在全省数字经济评估排名中居末位？") == []  # jieba: 排名/中居/末位
    assert places_in("为什么这个市在全省数字经济评估排名中居末位？") == []
    assert names_in("中山市的增速是多少？") == ["中山市"] and "内江" in places_in("上海和内江的增速")  # real places stay
    assert names_in("2022年中国电影的总票房收入") == ["中国"] and names_in("全市中国企业有多少家？") == ["中国"]
    assert "哪几个" not in terms("海曙区将打造哪几个百亿级优势产业集群？")  # a question word, not a term
