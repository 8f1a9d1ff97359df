"""Matching: case and diacritics do not matter, whole words only, exclusions, merged provinces, people's names."""
from crisiscomm.extensions import db
from crisiscomm.monitoring import matching, settings


def _match(text):
    found, crisis, severity = matching.build_matcher().match(text)
    codes = {d.id: d.code for d in (db.session.get(matching.Department, i) for i in found)}
    return {codes[i] for i in found}, crisis, severity


def test_with_and_without_diacritics_and_case(world):
    assert _match("Sở GDĐT Hà Nội công bố điểm thi")[0] == {"ha-noi"}
    assert _match("so gddt ha noi cong bo diem thi")[0] == {"ha-noi"}
    assert _match("HÀ NỘI: LỘ ĐỀ THI?")[1:] == (["lộ đề"], "high")
    assert _match("nghi lo de thi mon van o Ha Noi")[1] == ["lộ đề"]


def test_whole_words_only(world):
    settings.add_crisis_term(user=world.admin, text="thi", severity="low")
    assert _match("Trường mua thiết bị mới ở Hà Nội")[1] == []
    assert _match("Kỳ thi ở Hà Nội")[1] == ["thi"]
    assert _match("Hà Nộii")[0] == set()  # not a word of the term


def test_provinces_merged_in_2025_name_the_surviving_department(world):
    assert _match("Phụ huynh Bình Dương xếp hàng nộp hồ sơ lớp 6")[0] == {"ho-chi-minh"}
    assert _match("Học sinh Bà Rịa - Vũng Tàu đuối nước")[0] == {"ho-chi-minh"}
    assert _match("Sở GDĐT Hà Nam thông báo")[0] == {"ninh-binh"}  # Hà Nam became part of Ninh Bình
    assert {"Bình Dương", "Bà Rịa - Vũng Tàu"} <= {t.text for t in settings.department_terms(world.hcm)}


def test_an_exclusion_hides_the_words_it_covers(world):
    assert _match("Tỉnh Hà Nam Ninh cũ từng có trường chuyên")[0] == set()  # a Ministry-wide exclusion
    assert _match("Hà Nam Ninh và Hà Nam")[0] == {"ninh-binh"}  # the bare name elsewhere still counts
    settings.add_department_term(user=world.officer, department=world.hanoi, text="Hà Nội Amsterdam",
                                 kind="exclusion")
    db.session.commit()
    assert _match("Trường THPT chuyên Hà Nội Amsterdam đạt giải")[0] == set()
    assert _match("Trường Hà Nội Amsterdam ở Hà Nội")[0] == {"ha-noi"}


def test_people_are_terms_and_terms_are_editable(world):
    assert _match("Ông Nguyễn Văn Hùng trả lời báo chí")[0] == {"ha-noi"}  # the director
    assert _match("Người phát ngôn Đỗ Minh Tuấn cho biết")[0] == {"ha-noi"}  # the official spokesperson
    assert _match("Trường Marie Curie tuyển sinh")[0] == set()
    settings.add_department_term(user=world.officer, department=world.hanoi, text="Marie Curie")
    db.session.commit()
    assert _match("Trường Marie Curie tuyển sinh")[0] == {"ha-noi"}
    term = next(t for t in settings.department_terms(world.hanoi) if t.text == "Marie Curie")
    settings.delete_department_term(user=world.officer, term=term)
    db.session.commit()
    assert _match("Trường Marie Curie tuyển sinh")[0] == set()


def test_a_merger_after_terms_exist_carries_the_terms_over(app, factory, clock):
    from crisiscomm.departments import service as departments
    from crisiscomm.monitoring.models import DepartmentTerm

    factory.departments(merger=False)
    settings.seed()
    hcm, binh_duong = departments.find_by_code("ho-chi-minh"), departments.find_by_code("binh-duong")
    db.session.add(DepartmentTerm(department_id=binh_duong.id, text="THPT chuyên Hùng Vương",
                                  folded="thpt chuyen hung vuong"))
    db.session.commit()
    # HCM's generated terms already hold the provinces merged into it in 2025
    assert _match("Phụ huynh Bình Dương lo lắng")[0] == {"binh-duong", "ho-chi-minh"}
    departments.merge(old=binh_duong, new=hcm)
    db.session.commit()
    assert _match("Phụ huynh Bình Dương lo lắng")[0] == {"ho-chi-minh"}
    assert _match("Học sinh THPT chuyên Hùng Vương đoạt giải")[0] == {"ho-chi-minh"}
    assert [t.text for t in settings.department_terms(hcm)].count("Bình Dương") == 1
