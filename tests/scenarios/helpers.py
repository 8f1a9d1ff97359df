"""Helpers for the scenario tests: the fixture scenario text and variants of it."""
import os

FIXTURES = os.path.join(os.path.dirname(__file__), "fixtures")


def valid_text():
    with open(os.path.join(FIXTURES, "valid.md"), encoding="utf-8") as fh:
        return fh.read()


def write(folder, name, text):
    path = os.path.join(str(folder), name)
    with open(path, "w", encoding="utf-8") as fh:
        fh.write(text)
    return path


def bump(text, version, extra=""):
    """The fixture text with another version number and an extra line in the first-actions section."""
    text = text.replace("version: 1\n", f"version: {version}\n", 1)
    if extra:
        text = text.replace("1. Báo cáo {{ director.name }}.\n", "1. Báo cáo {{ director.name }}.\n" + extra + "\n", 1)
    return text
