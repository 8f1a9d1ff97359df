"""`scenarios check` enforces what can be automated of the 2026 review: no abolished levels or bodies, no exam
numbers or student names in public texts, an empathy line in every holding statement, the Ministry's 6 hours
as a benchmark, no promises a Department cannot keep."""
from .helpers import valid_text, write


def check(runner, folder):
    return runner.invoke(args=["scenarios", "check", "--dir", str(folder)])


def _line_of(text, needle):
    return text.split("\n").index(next(line for line in text.split("\n") if needle in line)) + 1


def test_outdated_bodies_and_laws_are_errors_with_their_line(runner, tmp_path):
    text = valid_text().replace(
        "1. Báo cáo {{ director.name }}.\n",
        "1. Báo cáo {{ director.name }}.\n2. Báo cáo Phòng GDĐT quận/huyện và Thanh tra Sở.\n"
        "3. Đề nghị cơ quan quản lý thông tin mạng của tỉnh gỡ bài.\n"
        "4. Thông báo vi phạm theo Nghị định 13/2023/NĐ-CP.\n", 1)
    path = write(tmp_path, "t.md", text)
    result = check(runner, tmp_path)
    assert result.exit_code == 1
    line = _line_of(text, "quận/huyện")
    assert f"{path}:{line}: outdated: no district level since 1 July 2025" in result.output
    assert f"{path}:{line}: outdated: 'Thanh tra Sở' no longer exists" in result.output
    assert f"{path}:{line + 1}: outdated: name the real bodies" in result.output
    assert f"{path}:{line + 2}: outdated: Decree 13/2023 was replaced" in result.output


def test_a_law_named_only_as_replaced_is_fine(runner, tmp_path):
    text = valid_text().replace("1. Báo cáo {{ director.name }}.\n", "1. Báo cáo {{ director.name }} theo Nghị định "
                                "356/2025/NĐ-CP (thay thế Nghị định 13/2023/NĐ-CP).\n", 1)
    write(tmp_path, "t.md", text)
    assert check(runner, tmp_path).exit_code == 0


def test_exam_numbers_and_name_slots_in_public_sections(runner, tmp_path):
    text = valid_text().replace(
        "Chúng tôi hiểu sự lo lắng của phụ huynh.",
        "Chúng tôi hiểu sự lo lắng của phụ huynh. Thí sinh [số báo danh] đã bị đình chỉ thi; em [họ tên học sinh].", 1)
    path = write(tmp_path, "t.md", text)
    result = check(runner, tmp_path)
    line = _line_of(text, "[số báo danh]")
    assert f"{path}:{line}: '## Thông tin ban đầu' is public: no candidate's exam number" in result.output
    assert f"{path}:{line}: '## Thông tin ban đầu' is public: no slot for a student's" in result.output
    # Saying what is NOT published is fine; so is an exam number in the internal first actions.
    ok = valid_text().replace("Chúng tôi hiểu sự lo lắng của phụ huynh.",
                              "Chúng tôi hiểu sự lo lắng của phụ huynh. Sở không công bố số báo danh.", 1).replace(
        "1. Báo cáo {{ director.name }}.\n", "1. Báo cáo {{ director.name }}; ghi số báo danh vào biên bản.\n", 1)
    write(tmp_path, "t.md", ok)
    assert check(runner, tmp_path).exit_code == 0


def test_holding_statement_needs_empathy_and_not_chia_se_alone(runner, tmp_path):
    text = valid_text().replace("Chúng tôi hiểu sự lo lắng của phụ huynh.", "Đề nghị không chia sẻ clip.", 1)
    path = write(tmp_path, "t.md", text)
    result = check(runner, tmp_path)
    assert result.exit_code == 1
    assert f"{path}:{_line_of(text, '## Thông tin ban đầu')}: '## Thông tin ban đầu' needs an empathy line" \
        in result.output


def test_ministry_six_hours_must_be_a_benchmark_and_promises_warn(runner, tmp_path):
    text = valid_text().replace(
        "1. Báo cáo {{ director.name }}.\n",
        "1. Báo cáo {{ director.name }}; trả lời trong vòng 6 giờ (Quyết định 22/QĐ-BGDĐT).\n", 1).replace(
        "Chúng tôi hiểu sự lo lắng của phụ huynh.", "Chúng tôi hiểu sự lo lắng của phụ huynh. Đường dây trực 24/24.", 1)
    path = write(tmp_path, "t.md", text)
    result = check(runner, tmp_path)
    assert f"{path}:{_line_of(text, '22/QĐ')}: Decision 22/QĐ-BGDĐT binds the Ministry's units" in result.output
    assert f"{path}:{_line_of(text, '24/24')}: warning: '24/24' promises" in result.output
