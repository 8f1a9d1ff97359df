def test_login_page_renders_in_vietnamese_by_default(client):
    response = client.get("/login")
    assert response.status_code == 200
    assert 'lang="vi"' in response.get_data(as_text=True)


def test_departments_load_and_merge(departments, app):
    from crisiscomm.departments.models import Department
    from crisiscomm.extensions import db

    assert db.session.query(Department).filter_by(status="active").count() == 34
    assert db.session.query(Department).filter_by(status="merged").count() == 29
