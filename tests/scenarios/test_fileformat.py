"""The scenario file format: `flask scenarios check` on the real library and on broken files."""
import os
from datetime import timedelta

import pytest

from crisiscomm import SCENARIO_DIR
from crisiscomm.scenarios import fileformat
from crisiscomm.scenarios.fileformat import parse_duration, parse_text

from .helpers import valid_text, write


def check(runner, folder):
    return runner.invoke(args=["scenarios", "check", "--dir", str(folder)])


def test_repository_scenarios_pass_check(runner):
    result = check(runner, SCENARIO_DIR)
    assert result.exit_code == 0, result.output
    files = [f for f in os.listdir(SCENARIO_DIR) if f.endswith(".md") and f != "README.md"]
    assert len(files) >= 12
    assert f"{len(files)} scenario files checked: 0 errors" in result.output


def test_durations():
    assert parse_duration("15m") == timedelta(minutes=15)
    assert parse_duration("1h") == timedelta(hours=1)
    assert parse_duration("24h") == timedelta(hours=24)
    assert parse_duration("72h") == timedelta(hours=72)
    assert parse_duration("7d") == timedelta(days=7)
    for bad in ("15", "1 hour", "0m", "-1h", "1w", "", None, 15):
        with pytest.raises(ValueError):
            parse_duration(bad)


def test_valid_fixture_has_no_problem():
    parsed = parse_text(valid_text())
    assert parsed.problems == []
    assert parsed.meta["id"] == "test-rumour"
    assert [s.title for s in parsed.sections] == list(fileformat.SECTIONS)
    assert [m.text for m in parsed.key_messages][0] == "Sở đang xác minh và sẽ thông tin sớm."


def _lines(output, path):
    return [line for line in output.splitlines() if line.startswith(str(path) + ":")]


def test_bad_yaml(runner, tmp_path):
    path = write(tmp_path, "bad-yaml.md", valid_text().replace("exam_related: false", "exam_related: false: true"))
    result = check(runner, tmp_path)
    assert result.exit_code == 1
    lines = _lines(result.output, path)
    assert lines and lines[0] == f"{path}:7: bad YAML in front matter: mapping values are not allowed here", result.output


def test_missing_section(runner, tmp_path):
    text = valid_text().replace("## Những điều không nói, không làm\n\n- Không phủ nhận khi chưa xác minh.\n\n", "")
    path = write(tmp_path, "missing.md", text)
    result = check(runner, tmp_path)
    assert result.exit_code == 1
    # Reported where it should have been: at the next section's heading.
    line = text.split("\n").index("## Mẫu thông cáo báo chí") + 1
    assert f"{path}:{line}: missing section '## Những điều không nói, không làm'" in result.output


def test_unknown_placeholder_and_sandbox_escape_are_flagged(runner, tmp_path):
    text = valid_text().replace("Tin đồn lan truyền", "{{ department.secret }} {{ ''.__class__ }} {{ config }} "
                                                      "{{ department.name|upper }} Tin đồn lan truyền")
    text = text.replace("- Chúng ta phát hiện", "{% for x in range(3) %}x{% endfor %}\n- Chúng ta phát hiện")
    path = write(tmp_path, "placeholders.md", text)
    result = check(runner, tmp_path)
    assert result.exit_code == 1
    line = text.split("\n").index(next(l for l in text.split("\n") if "department.secret" in l)) + 1
    out = result.output
    assert f"{path}:{line}: unknown placeholder {{{{ department.secret }}}}" in out
    assert f"{path}:{line}: unknown placeholder getattr" in out  # ''.__class__
    assert f"{path}:{line}: unknown placeholder {{{{ config }}}}" in out
    assert f"{path}:{line}: unknown placeholder filter 'upper'" in out
    for_line = text.split("\n").index("{% for x in range(3) %}x{% endfor %}") + 1
    assert f"{path}:{for_line}: template statement 'for' is not allowed" in out


def test_bad_duration(runner, tmp_path):
    text = valid_text().replace("due_after: 24h", "due_after: 1 ngày")
    path = write(tmp_path, "duration.md", text)
    result = check(runner, tmp_path)
    assert result.exit_code == 1
    line = text.split("\n").index("    due_after: 1 ngày") + 1
    assert _lines(result.output, path)[0].startswith(f"{path}:{line}: phases[2].due_after: bad duration")


def test_sections_in_wrong_order(runner, tmp_path):
    text = valid_text()
    a = "## Kênh truyền thông\n\n- Cổng thông tin, fanpage, Zalo, họp báo.\n\n"
    b = "## Mẫu thông cáo báo chí\n\n**{{ department.name }}** — {{ today }}\n\n"
    text = text.replace(b + a, a + b)
    path = write(tmp_path, "order.md", text)
    result = check(runner, tmp_path)
    assert result.exit_code == 1
    line = text.split("\n").index("## Mẫu thông cáo báo chí") + 1
    assert f"{path}:{line}: section '## Mẫu thông cáo báo chí' is out of order" in result.output


def test_wrong_number_of_key_messages_and_bad_front_matter(runner, tmp_path):
    text = valid_text().replace("### Người tung tin sai sẽ bị xử lý theo pháp luật.\n- Theo Nghị định 15/2020/NĐ-CP.\n", "")
    text = text.replace("category: misinformation", "category: gossip").replace("owner_role: spokesperson",
                                                                                   "owner_role: journalist")
    path = write(tmp_path, "front.md", text)
    result = check(runner, tmp_path)
    assert result.exit_code == 1
    lines = text.split("\n")
    assert f"{path}:{lines.index('category: gossip') + 1}: category: 'gossip' is not one of" in result.output
    assert "owner_role: unknown role 'journalist'" in result.output
    assert f"{path}:{lines.index('## Thông điệp chính') + 1}: '## Thông điệp chính' must have exactly 3 key messages" \
        in result.output


def test_long_key_message_and_many_facts_warn_without_failing(runner, tmp_path):
    long_message = " ".join(["từ"] * 28)
    text = valid_text().replace("### Sở đang xác minh và sẽ thông tin sớm.\n- Đã báo cáo lãnh đạo.\n",
                                f"### {long_message}\n- Một.\n- Hai.\n- Ba.\n- Bốn.\n")
    path = write(tmp_path, "long.md", text)
    result = check(runner, tmp_path)
    assert result.exit_code == 0, result.output
    line = text.split("\n").index(f"### {long_message}") + 1
    assert f"{path}:{line}: warning: key message has 28 words (more than 27" in result.output
    assert f"{path}:{line}: warning: key message has 4 supporting facts (at most 3)" in result.output
    assert "0 errors, 2 warnings" in result.output


def test_duplicate_ids_across_files(runner, tmp_path):
    write(tmp_path, "a.md", valid_text())
    path = write(tmp_path, "b.md", valid_text())
    result = check(runner, tmp_path)
    assert result.exit_code == 1
    assert f"{path}:2: id 'test-rumour' is already used by" in result.output
