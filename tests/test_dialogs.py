"""The foundation's conversations, as dialog tables, through the console and through Telegram."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.dialog import Driver, Step, contact, location, play, press, say

MENU = (
    "Tự đánh giá",
    "Điểm hỗ trợ gần nhất",
    "Đặt lịch tư vấn",
    "Nói chuyện với tư vấn viên",
    "Nhóm tự lực",
    "Dành cho gia đình",
    "Trợ giúp khẩn cấp",
    "Quyền riêng tư và dữ liệu của bạn",
)
CHILD_MENU = ("Dành cho gia đình", "Trợ giúp khẩn cấp", "Quyền riêng tư và dữ liệu của bạn")
AGE = ("Từ 16 tuổi trở lên", "Dưới 16 tuổi")
URGENT = ("115", "quá liều", "nằm nghiêng")  # the overdose screen
TRIAGE = (
    "Có người có thể bị quá liều, gọi không tỉnh",
    "Mình đang nghĩ đến chuyện tự tử",
    "Có người kích động, ảo giác sau khi dùng",
    "Có người đang đánh hoặc đe dọa mình",
)
SUICIDE = ("Cảm ơn bạn đã nói với mình", "096 306 1414", "115", "nói chuyện với ai đó")
OTHER = "Chuyện khác đang xảy ra"
BACK = "Quay lại chỗ đang dở"

START = say("/start", "trợ lý tự động", "không biết bạn là ai", "/forget", "bao nhiêu tuổi", choices=AGE)
ADULT = press("Từ 16 tuổi trở lên", "giúp gì", choices=MENU)

DIALOGS: dict[str, list[Step]] = {
    "adult onboarding reaches the menu": [START, ADULT],
    "under 16 gets the child line and a smaller menu": [
        START,
        press("Dưới 16 tuổi", "111", "người lớn mà bạn tin tưởng", choices=CHILD_MENU),
        say("/menu", choices=CHILD_MENU),
    ],
    "under 16: urgent help starts with the child line, and appointments offer no booking": [
        START,
        press("Dưới 16 tuổi", choices=CHILD_MENU),
        press("Trợ giúp khẩn cấp", "115", "• 111", "Chuyện gì đang xảy ra", choices=(*TRIAGE, "Menu chính")),
        press(TRIAGE[0], *URGENT, "• 111", choices=(OTHER, "Menu chính")),
        press(OTHER, "Chuyện gì đang xảy ra"),
        press(
            TRIAGE[1],
            "111",
            "096 306 1414",
            "kể ngay với một người lớn",
            absent=("đặt lịch", "Tư vấn viên", "113", "hỏi thẳng"),
            choices=(OTHER, "Menu chính"),
        ),
        say("/lichhen", "chưa có lịch hẹn nào", choices=("Menu chính",)),
    ],
    "a first message that is not /start gets the welcome": [
        say("xin chào", "trợ lý tự động", "bao nhiêu tuổi", choices=AGE),
        say("1", "giúp gì", choices=MENU),
    ],
    "age answered by typing the label, without accents": [
        START,
        say("duoi 16 tuoi", "111", choices=CHILD_MENU),
    ],
    "urgent words interrupt and the person can go back": [
        START,
        say("ban toi bi qua lieu roi", *URGENT, absent=("tự tử", "113"), choices=(OTHER, BACK, "Menu chính")),
        press("Quay lại chỗ đang dở", "bao nhiêu tuổi", absent=("trợ lý tự động",), choices=AGE),
        press("Từ 16 tuổi trở lên", "giúp gì", choices=MENU),
    ],
    "tự tử typed without accents is urgent, từ từ (slowly) is not": [
        START,
        ADULT,
        say("từ từ đã", "chưa hiểu ý bạn", absent=("115",), choices=MENU),
        say("tu tu", *SUICIDE, absent=("nằm nghiêng", "113")),
        say(
            "Muốn chết",
            *SUICIDE,
            choices=("Nói chuyện với tư vấn viên", "Đặt lịch nói chuyện với tư vấn viên", OTHER, "Menu chính"),
        ),
        press("Đặt lịch nói chuyện với tư vấn viên", "Chưa có tư vấn viên"),
    ],
    "urgent help from the menu and by command: what is happening is asked, 115 already on screen": [
        START,
        ADULT,
        press("Trợ giúp khẩn cấp", "115", "Chuyện gì đang xảy ra", absent=("113",), choices=(*TRIAGE, "Menu chính")),
        press(TRIAGE[0], *URGENT, choices=(OTHER, "Menu chính")),
        press("Menu chính", choices=MENU),
        say("/khancap", "Chuyện gì đang xảy ra", choices=(*TRIAGE, "Menu chính")),
        say("cấp cứu", "Chuyện gì đang xảy ra", choices=(*TRIAGE, "Menu chính")),
    ],
    "each crisis gets its own first words; the police only where there is violence": [
        START,
        ADULT,
        say("môi nó tím hết rồi", *URGENT, absent=("113",)),
        say(
            "chồng tôi ngáo đá cầm dao",
            "giữ khoảng cách",
            "Đừng tranh cãi",
            "115",
            absent=("113", "nằm nghiêng"),
            choices=(TRIAGE[3], "Tìm nơi chăm sóc sức khỏe tâm thần", OTHER, "Menu chính"),
        ),
        press(TRIAGE[3], "không phải lỗi của bạn", "113", "quyền của bạn", "115"),
        say(
            "chồng tôi đánh tôi",
            "nơi an toàn",
            "113",
            absent=("nằm nghiêng", "tự tử"),
            choices=("Tìm trợ giúp pháp lý", "Đặt lịch nói chuyện với tư vấn viên", OTHER, "Menu chính"),
        ),
        say("mình chán sống lắm rồi", *SUICIDE, absent=("113",)),
    ],
    "groups explain how to join; a wrong code is refused kindly; booking with no counsellor says so": [
        START,
        ADULT,
        press("Nhóm tự lực", "gõ mã nhóm vào đây", choices=("Menu chính",)),
        say("ABCD-EFGH", "không tìm thấy nhóm nào có mã này", choices=("Menu chính",)),
        say("xin chào", "Chào bạn! Mình hỏi tiếp nhé", "gõ lại mã", choices=("Menu chính",)),
        say("hôm nay trời đẹp", "không tìm thấy nhóm", choices=("Menu chính",)),  # not a code: not kept waiting
        say("hôm nay trời đẹp", "chưa hiểu ý bạn", choices=MENU),
        press("Nhóm tự lực", "gõ mã nhóm vào đây"),
        say("con tôi nghiện ma túy", "Khi một người thân sử dụng ma túy", absent=("không tìm thấy nhóm",)),
        press("Menu chính"),
        press("Đặt lịch tư vấn", "Chưa có tư vấn viên nào đăng lịch", choices=("Tìm điểm hỗ trợ", "Menu chính")),
    ],
    "unknown input and unknown commands get a kind answer and the menu": [
        START,
        ADULT,
        say("asdfghjkl 12345 !!!", "chưa hiểu ý bạn", choices=MENU),
        say("/khonglenhnao", "chưa biết lệnh này", choices=MENU),
        say("99", "Bạn gõ số từ 1 đến 8 nhé", choices=MENU),
    ],
    "a shared location outside any flow looks for support; a shared contact is not kept": [
        START,
        ADULT,
        location(21.0285, 105.8542, "Chưa có điểm hỗ trợ nào", choices=("Trợ giúp khẩn cấp", "Menu chính")),
        press("Menu chính", choices=MENU),
        contact("+84 912 345 678", "không lưu lại số này", absent=("912",), choices=MENU),
    ],
    "privacy shows what is stored, and keeping it erases nothing": [
        START,
        ADULT,
        say(
            "/privacy",
            "mã ẩn danh",
            "từ 16 tuổi trở lên",
            "Hiện bạn không cho lưu",
            choices=("Xóa toàn bộ", "Menu chính"),
        ),
        press("Xóa toàn bộ", "Không thể khôi phục", choices=("Có, xóa toàn bộ", "Không, giữ lại")),
        press("Không, giữ lại", "Chưa có gì bị xóa", choices=MENU),
        say("/privacy", "từ 16 tuổi trở lên"),
    ],
    "forget erases everything and the next message starts afresh": [
        START,
        ADULT,
        say("/forget", "Không thể khôi phục", choices=("Có, xóa toàn bộ", "Không, giữ lại")),
        press("Có, xóa toàn bộ", "đã được xóa"),
        say("/privacy", "mã ẩn danh", absent=("từ 16 tuổi trở lên",)),
        say("xin chào", "bao nhiêu tuổi", choices=AGE),
    ],
    "stop ends all messages until /start": [
        START,
        ADULT,
        say("/stop", "Dừng mọi tin nhắn?", absent=("lịch hẹn",)),  # asked once more; nothing stops yet
        press("Có, dừng tin nhắn", "không gửi thêm tin nhắn"),
        say("/privacy", "không gửi tin nhắn nào cho bạn"),
        START,
        ADULT,
        say("/privacy", absent=("không gửi tin nhắn nào cho bạn",)),
    ],
}


# ------------------------------------------------------------------------------------ self-check

NO, YES = "Không", "Có"
FREQ = {"never": "Không bao giờ", "once": "Một hoặc hai lần", "monthly": "Hằng tháng", "weekly": "Hằng tuần",
        "daily": "Hằng ngày hoặc gần như hằng ngày"}  # fmt: skip
NEVER, RECENT, EARLIER = "Không, chưa bao giờ", "Có, trong 3 tháng qua", "Có, nhưng không phải trong 3 tháng qua"
ANSWERS = (*FREQ.values(), "◀ Quay lại", "Dừng lại")
SAVE = "Lưu kết quả để lần sau so sánh"
AGREE = ("Có, tôi đồng ý", "Không, cảm ơn")
SUBSTANCE_ORDER = ["tobacco", "alcohol", "cannabis", "cocaine", "stimulants", "inhalants", "sedatives",
                   "hallucinogens", "opioids", "other"]  # fmt: skip
START_CHECK = [
    START,
    ADULT,
    press("Tự đánh giá", "không phải là chẩn đoán", "không được lưu", choices=("Bắt đầu tự đánh giá", "Menu chính")),
    press("Bắt đầu tự đánh giá", "Câu hỏi 1", "thuốc lào", choices=(YES, NO, "◀ Quay lại", "Dừng lại")),
]


WEEKEND_DRINKING = [  # alcohol only: 4 + 4 + 0 + 0 + 3 = 11, moderate
    *(press(YES if s == "alcohol" else NO) for s in SUBSTANCE_ORDER),
    press(FREQ["weekly"]),
    press(FREQ["monthly"]),
    press(FREQ["never"]),
    press(FREQ["never"]),
    press(EARLIER),
    press(NEVER),
    press(NEVER, "11 điểm, nguy cơ trung bình"),
]


def gate(*used: str) -> list[Step]:
    """Answer the "ever used" question for every substance: yes for ``used``."""
    return [press(YES if s in used else NO) for s in SUBSTANCE_ORDER]


DIALOGS.update(
    {
        "self-check: daily heroin and frequent injecting is high risk with treatment and testing next": [
            *START_CHECK,
            *gate("opioids"),
            press(FREQ["daily"], "ba tháng qua", "thường xuyên đến mức nào", choices=ANSWERS),
            press(FREQ["daily"]),
            press(FREQ["weekly"]),
            press(FREQ["monthly"]),
            press(RECENT),
            press(EARLIER, "tiêm chích"),
            press(RECENT, "trung bình bạn tiêm chích"),
            press(
                "Nhiều hơn một lần mỗi tuần, hoặc từ 3 ngày liền trở lên",
                "• Chất dạng thuốc phiện: 33 điểm, nguy cơ cao",  # the short name; examples were in the questions
                "không phải chẩn đoán",
                absent=("heroin, morphine", "bơm kim tiêm mới"),  # the advice is one button away
                choices=(
                    "Chất dạng thuốc phiện: điều trị và quá liều",
                    "Tiêm chích: an toàn hơn",
                    "Tìm nơi điều trị methadone hoặc buprenorphine",
                    "Tìm nơi xét nghiệm HIV và viêm gan",
                    "Tìm nơi cấp bơm kim tiêm sạch",
                    "Nói chuyện với tư vấn viên",
                    "Đặt lịch tư vấn",
                    "Tham gia nhóm tự lực",
                    SAVE,
                    "Menu chính",
                ),
            ),
            press(
                "Tiêm chích: an toàn hơn",
                "tiêm chích thường xuyên",
                "bơm kim tiêm mới",
                choices=("Xem lại kết quả của tôi", "Menu chính"),
            ),
            press("Xem lại kết quả của tôi", "33 điểm, nguy cơ cao"),
            press("Chất dạng thuốc phiện: điều trị và quá liều", "methadone hoặc buprenorphine", "không còn chịu được"),
            press("Xem lại kết quả của tôi", "33 điểm, nguy cơ cao"),  # ends on the result, its next steps offered
        ],
        "self-check: weekend drinking scores 11, moderate, with tips and counselling": [
            *START_CHECK,
            *gate("alcohol"),
            press(FREQ["weekly"]),
            press(FREQ["monthly"]),
            press(FREQ["never"]),
            press(FREQ["never"]),
            press(EARLIER),
            press(NEVER),
            press(
                NEVER,
                "• Rượu bia: 11 điểm, nguy cơ trung bình",
                absent=("bơm kim tiêm", "Bên dưới có thêm"),
                choices=("Nói chuyện với tư vấn viên", "Đặt lịch tư vấn", "Mẹo để giảm bớt", SAVE, "Menu chính"),
            ),
            press("Mẹo để giảm bớt", "Đặt mục tiêu", choices=("Xem lại kết quả của tôi", "Menu chính")),
            press(
                "Xem lại kết quả của tôi",
                "11 điểm, nguy cơ trung bình",
                choices=("Nói chuyện với tư vấn viên", "Đặt lịch tư vấn", "Mẹo để giảm bớt", SAVE, "Menu chính"),
            ),
        ],
        "self-check: a smoker who stopped long ago is low risk; tobacco is never asked Q5": [
            *START_CHECK,
            *gate("tobacco"),
            press(FREQ["never"], "bày tỏ lo lắng"),  # Q2 never: Q3-Q5 skipped
            press(EARLIER, "cố gắng kiểm soát"),
            press(NEVER, "tiêm chích"),
            press(NEVER, "3 điểm, nguy cơ thấp", "ba tháng", choices=(SAVE, "Menu chính")),
        ],
        "self-check: no use at all is confirmed once, then thanked": [
            *START_CHECK,
            *gate(),
            press("Chưa bao giờ", "Bạn chưa sử dụng chất nào", "gia đình", choices=("Dành cho gia đình", "Menu chính")),
            press("Dành cho gia đình", "không hỏi bạn điều gì"),
        ],
        "self-check: a yes on the second chance asks the substances again": [
            *START_CHECK,
            *gate(),
            press("Đã từng dùng", "Câu hỏi 12", "thuốc lào"),
        ],
        "self-check: back and stop work at every step": [
            *START_CHECK,
            press(YES, "Câu hỏi 2", "bia, rượu"),
            press("◀ Quay lại", "Câu hỏi 1", "thuốc lào"),
            press("◀ Quay lại", "không phải là chẩn đoán", choices=("Bắt đầu tự đánh giá", "Menu chính")),
            press("Bắt đầu tự đánh giá", "Câu hỏi 1"),
            say("không biết nữa", "chọn một trong các câu trả lời", "Câu hỏi 1"),
            press("Dừng lại", "Đã dừng", choices=MENU),
        ],
        "self-check: saving is asked with its own consent; declining saves nothing": [
            *START_CHECK,
            *WEEKEND_DRINKING,
            press(SAVE, "không giữ các câu trả lời", "mã hóa", "năm kết quả", "/privacy", choices=AGREE),
            press(
                "Không, cảm ơn",
                "không lưu gì",
                choices=(
                    "Xem lại kết quả của tôi",
                    "Nói chuyện với tư vấn viên",
                    "Đặt lịch tư vấn",
                    "Mẹo để giảm bớt",
                    "Menu chính",
                ),
            ),
            say("/privacy", "Hiện bạn không cho lưu", absent=("Kết quả tự đánh giá đã lưu",)),
        ],
        "self-check: a saved result is compared next time, and withdrawing deletes it": [
            *START_CHECK,
            *WEEKEND_DRINKING,
            press(SAVE, choices=AGREE),
            press(
                "Có, tôi đồng ý",
                "Đã lưu",
                choices=(
                    "Xem lại kết quả của tôi",
                    "Nói chuyện với tư vấn viên",
                    "Đặt lịch tư vấn",
                    "Mẹo để giảm bớt",
                    "Menu chính",
                ),
            ),
            say("/privacy", "Kết quả tự đánh giá đã lưu: 1", '"Lưu kết quả tự đánh giá"'),
            press("Menu chính"),
            press("Tự đánh giá", "Bạn đã lưu kết quả ngày 23/11/2026"),
            press("Bắt đầu tự đánh giá"),
            *gate("alcohol"),
            press(FREQ["monthly"]),
            press(FREQ["monthly"]),
            press(FREQ["never"]),
            press(FREQ["never"]),
            press(NEVER),
            press(NEVER),
            press(
                NEVER,
                "So với kết quả bạn đã lưu ngày 23/11/2026",
                "7 điểm, nguy cơ thấp; thấp hơn lần trước (11 điểm)",
                "đã được lưu",
                choices=("Menu chính",),
            ),
            say("/privacy", "Kết quả tự đánh giá đã lưu: 2"),
            press("Rút lại: Lưu kết quả tự đánh giá", "đã rút lại sự đồng ý"),
            say("/privacy", "Hiện bạn không cho lưu", absent=("Kết quả tự đánh giá đã lưu",)),
            press("Menu chính"),
            press("Tự đánh giá", absent=("Bạn đã lưu",)),
        ],
        "self-check: a request typed instead of an answer is answered; thanks get a word back and the question": [
            *START_CHECK,
            say(
                "cảm ơn", "Không có gì đâu. Mình hỏi tiếp nhé", "Câu hỏi 1", choices=(YES, NO, "◀ Quay lại", "Dừng lại")
            ),
            press(NO, "Câu hỏi 2"),
            say("tìm chỗ uống methadone", "Đang tìm: Methadone hoặc buprenorphine", absent=("Câu hỏi",)),
        ],
        "self-check: an urgent interruption resumes at the same question": [
            *START_CHECK,
            press(NO),
            press(YES, "Câu hỏi 3"),
            say("ban toi sốc thuốc", *URGENT, choices=(OTHER, BACK, "Menu chính")),
            press("Quay lại chỗ đang dở", "Câu hỏi 3", "cần sa", choices=(YES, NO, "◀ Quay lại", "Dừng lại")),
            say("2", "Câu hỏi 4", "cocaine"),
        ],
    }
)


# ------------------------------------------------------------------------------------ typed requests

ROOT = Path(__file__).resolve().parent.parent
STORY = (ROOT / "data" / "eval" / "long_story.txt").read_text(encoding="utf-8").strip()  # also the benchmark's

DIALOGS.update(
    {
        "typed: greetings, thanks and questions about privacy are understood, an idiom is not a crisis": [
            START,
            ADULT,
            say("chào bạn", "Chào bạn! Mình là trợ lý tự động", absent=("chưa hiểu",)),
            say("cam on", "Không có gì đâu"),
            say("có bị công an biết không", "Những gì đang được lưu về bạn"),
            say("mk có bị nghiện k", "không phải là chẩn đoán", choices=("Bắt đầu tự đánh giá", "Menu chính")),
            say("từ từ đã", "chưa hiểu", absent=("115",)),
            say("giúp tôi với", "Mình có thể giúp gì cho bạn"),
        ],
        "typed: a number beyond the choices says which numbers there are, and asks again": [
            START,
            ADULT,
            say("9", "Bạn gõ số từ 1 đến 8 nhé", choices=MENU),
            say("1", "không phải là chẩn đoán"),
        ],
        "typed: a long message from someone under 16 is heard, with an adult to tell and the child line": [
            START,
            press("Dưới 16 tuổi"),
            say(
                STORY,
                "người lớn mà bạn tin tưởng",
                "Bạn cũng có thể gọi 111",
                absent=("đặt lịch", "chưa hiểu"),
                choices=("Dành cho gia đình", "Trợ giúp khẩn cấp", "Menu chính"),
            ),
        ],
        "typed: a long personal message gets a human answer, with what it seems to ask for first": [
            START,
            ADULT,
            say(
                STORY,
                "Cảm ơn bạn đã tin tưởng kể cho mình nghe",
                "tư vấn viên có thể lắng nghe",
                "không lưu tin nhắn",
                absent=("chưa hiểu",),
                choices=(
                    "Cắt cơn",
                    "Dành cho gia đình",
                    "Đặt lịch nói chuyện với tư vấn viên",
                    "Trợ giúp khẩn cấp",
                    "Menu chính",
                ),
            ),
            press("Dành cho gia đình", "Khi một người thân sử dụng ma túy"),
            say(STORY + " Nhiều lúc mình chỉ muốn chết cho xong.", *SUICIDE),  # a crisis in it comes first
        ],
        "typed: a look-alike is asked about, not guessed": [
            START,
            ADULT,
            say("xet nghiem hvi", "Có phải bạn muốn", choices=("Xét nghiệm HIV", "Menu chính")),
        ],
    }
)


# ------------------------------------------------------------------------------------ families

FAMILY_TOPICS = (
    "Hiểu về nghiện",
    "Trò chuyện không trách móc",
    "Chăm sóc bản thân bạn",
    "Điều trị tự nguyện và pháp luật",
)
FAMILY_HOME = (
    *FAMILY_TOPICS,
    "Tìm dịch vụ hỗ trợ",
    "Nói chuyện với tư vấn viên",
    "Đặt lịch tư vấn cho chính tôi",
    "Nhóm hỗ trợ gia đình",
    "Menu chính",
)
DIALOGS.update(
    {
        "family: short guidance topics, one after another, and nothing asked about the relative": [
            START,
            ADULT,
            press("Dành cho gia đình", "cả gia đình", "không hỏi bạn điều gì", choices=FAMILY_HOME),
            press(
                "Hiểu về nghiện",
                "vấn đề sức khỏe",
                "hay là người xấu",
                "Điều trị có hiệu quả",
                absent=("con nghiện", "người nghiện"),
                choices=(
                    "Trò chuyện không trách móc",
                    "Đặt lịch tư vấn cho chính tôi",
                    "Tất cả chủ đề cho gia đình",
                    "Menu chính",
                ),
            ),
            press("Trò chuyện không trách móc", "CRAFT", "lúc bình tĩnh", "113"),
            press("Chăm sóc bản thân bạn", "nhóm hỗ trợ gia đình", "đặt giới hạn"),
            press("Điều trị tự nguyện và pháp luật", "tự nguyện", "1/7/2026", "trợ giúp pháp lý", "bí mật"),
            press("Tất cả chủ đề cho gia đình", choices=FAMILY_HOME),
            say("2", "CRAFT"),  # a typed number chooses too
        ],
        "family: the service buttons hand over to finding, booking and groups": [
            START,
            ADULT,
            press("Dành cho gia đình", choices=FAMILY_HOME),
            press(
                "Tìm dịch vụ hỗ trợ",
                "chia sẻ vị trí",
                "Đang tìm: Hỗ trợ gia đình",
                choices=("Chọn dịch vụ", "Menu chính"),
            ),
            press("Menu chính"),
            press("Dành cho gia đình"),
            press("Đặt lịch tư vấn cho chính tôi", "không cần cho biết tên", choices=("Tìm điểm hỗ trợ", "Menu chính")),
            press("Menu chính"),
            press("Dành cho gia đình"),
            press("Nhóm hỗ trợ gia đình", "người thân", "gõ mã nhóm", choices=("Menu chính",)),
        ],
        "family: someone under 16 gets reassurance, the child line and no booking": [
            START,
            press("Dưới 16 tuổi", choices=CHILD_MENU),
            press(
                "Dành cho gia đình",
                "không phải lỗi của bạn",
                "111",
                choices=("Hiểu về nghiện", "Chăm sóc bản thân bạn", "Trợ giúp khẩn cấp", "Menu chính"),
            ),
            press("Hiểu về nghiện", choices=("Chăm sóc bản thân bạn", "Tất cả chủ đề cho gia đình", "Menu chính")),
        ],
    }
)


@pytest.mark.parametrize("name", list(DIALOGS))
async def test_dialog(driver: Driver, name: str) -> None:
    await play(driver, DIALOGS[name])
