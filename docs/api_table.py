"""Print the README's API table from the live OpenAPI document: python docs/api_table.py"""
from crisiscomm import create_app
from crisiscomm.api import openapi_document

app = create_app({"SQLALCHEMY_DATABASE_URI": "sqlite://"})
with app.app_context():
    doc = openapi_document(app)
print("| method | path | what it does |\n| --- | --- | --- |")
for path, ops in doc["paths"].items():
    for method, op in ops.items():
        print(f"| {method.upper()} | `{path}` | {op['summary']} |")
