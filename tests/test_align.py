from __future__ import annotations

from briefing.align import Group, align, anchors, normalise_number

EN = [
    "Port plan approved",
    "The Kessel port authority approved a €2.1bn expansion on Monday.",
    "Photo: cranes at the old quay",
    "Traffic rose 12 per cent to 480,000 containers in 2025, officials said.",
    "The project will add 6 berths. Work starts in May.",
    "Recommended",
]
VI = [
    "Kế hoạch cảng được phê duyệt",
    "Chính quyền cảng Kessel đã phê duyệt dự án mở rộng trị giá 2,1 tỷ euro vào thứ Hai.",
    "Lưu lượng tăng 12% lên 480.000 container trong năm 2025, các quan chức cho biết.",
    "Dự án sẽ bổ sung 6 bến.",
    "Công việc bắt đầu vào tháng 5.",
]


def test_numbers_normalise_across_conventions() -> None:
    assert normalise_number("230,000", "en") == normalise_number("230.000", "vi") == "230000"
    assert normalise_number("5.5", "en") == normalise_number("5,5", "vi") == "5.5"
    assert {"480000", "2025", "12"} <= anchors(VI[2], "vi")


def test_drop_and_split_are_found() -> None:
    groups = align(EN, VI, source_lang="en", target_lang="vi")
    assert groups == [
        Group((0,), (0,)),
        Group((1,), (1,)),
        Group((2,), ()),  # the caption the translator dropped
        Group((3,), (2,)),
        Group((4,), (3, 4)),  # one paragraph split in two
        Group((5,), ()),
    ]


def test_merge_is_found() -> None:
    merged = [VI[0], VI[1], VI[2], VI[3] + " " + VI[4]]
    groups = align([EN[0], EN[1], EN[3], "The project will add 6 berths.",
                    "Work starts in May."], merged, source_lang="en", target_lang="vi")
    assert groups[-1] == Group((3, 4), (3,))


def test_empty_sides() -> None:
    assert align([], ["a"]) == [Group((), (0,))]
    assert align(["a"], []) == [Group((0,), ())]


# A talk with no names and no digits: only lengths and order tell its paragraphs apart.
TALK_EN = [
    "When I was young, my grandmother kept a garden behind the house, and every morning she "
    "walked between the rows before anyone else was awake, talking quietly to the plants as if "
    "they were old friends who needed reassurance.",
    "Well, I thought she was a little strange.",
    "Years later I understood that she was not talking to the plants at all. She was talking "
    "to herself, rehearsing the hard conversations of the day ahead, and the garden was simply "
    "the only place where nobody would interrupt her or ask what she meant.",
    "So what does a garden have to do with the way we make decisions?",
    "It turns out that most of us never give ourselves a quiet place to think before we act. "
    "We answer messages while walking, we decide what to buy while standing in a queue, and "
    "we choose the people we trust in a few seconds, without noticing that we have chosen at "
    "all.",
    "My grandmother would have laughed at that. She used to say that a decision made in a "
    "hurry is a decision made by somebody else, and she was usually right about such things.",
    "Thank you.",
]
TALK_VI = [
    "Khi tôi còn nhỏ, bà tôi có một khu vườn sau nhà, và mỗi sáng bà đi giữa các luống rau "
    "trước khi mọi người thức dậy, khẽ trò chuyện với cây cối như thể chúng là những người "
    "bạn cũ cần được an ủi.",
    "Chà, tôi từng nghĩ bà hơi kỳ lạ.",
    "Nhiều năm sau tôi mới hiểu rằng bà hoàn toàn không nói chuyện với cây. Bà nói chuyện với "
    "chính mình, tập dượt những cuộc trò chuyện khó khăn của ngày sắp tới, và khu vườn chỉ đơn "
    "giản là nơi duy nhất không ai ngắt lời bà hay hỏi bà muốn nói gì.",
    "Vậy một khu vườn thì liên quan gì đến cách chúng ta đưa ra quyết định?",
    "Hóa ra hầu hết chúng ta không bao giờ cho mình một chỗ yên tĩnh để suy nghĩ trước khi "
    "hành động. Chúng ta trả lời tin nhắn khi đang đi bộ, quyết định mua gì khi đang xếp hàng, "
    "và chọn người để tin tưởng chỉ trong vài giây, mà không nhận ra rằng mình đã lựa chọn.",
    "Bà tôi hẳn sẽ bật cười vì điều đó. Bà thường nói rằng một quyết định vội vàng là quyết "
    "định do người khác đưa ra, và bà thường đúng về những chuyện như vậy.",
    "Xin cảm ơn.",
]


def test_a_talk_without_anchors_aligns_one_to_one() -> None:
    groups = align(TALK_EN, TALK_VI, source_lang="en", target_lang="vi")
    assert groups == [Group((i,), (i,)) for i in range(len(TALK_EN))]


def test_two_long_paragraphs_merged_without_anchors_are_found() -> None:
    """Two long paragraphs with no shared names or numbers are no orphans: their combined
    length is the evidence (a short caption with none still is)."""
    merged = [*TALK_VI[:4], TALK_VI[4] + " " + TALK_VI[5], TALK_VI[6]]
    groups = align(TALK_EN, merged, source_lang="en", target_lang="vi")
    assert Group((4, 5), (4,)) in groups
    assert [g for g in groups if not g.source or not g.target] == []


def test_a_dropped_long_paragraph_is_not_merged_into_its_neighbour() -> None:
    dropped = [*TALK_VI[:2], *TALK_VI[3:]]
    groups = align(TALK_EN, dropped, source_lang="en", target_lang="vi")
    assert Group((2,), ()) in groups
    assert [g for g in groups if len(g.source) > 1 or len(g.target) > 1] == []


def test_sentence_openers_are_not_names_and_number_words_are_anchors() -> None:
    assert "well" not in anchors('He asked why? "Well, nobody knows."', "en")
    assert "well" not in anchors("He asked why. -- Well, nobody knows.", "en")
    assert {"marvin", "minsky", "nasa"} <= anchors("I sat with Marvin Minsky at NASA.", "en")
    assert "7e+06" in anchors("We have seven million people on probation.", "en")
    assert "7e+06" in anchors("Có 7 triệu người bị quản chế.", "vi")
