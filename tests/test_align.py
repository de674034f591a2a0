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
