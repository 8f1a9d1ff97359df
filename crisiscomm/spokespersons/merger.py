"""Merger plug-in: imported once; ends the merged Department's assignments at the merger time."""
from ..departments.service import on_merge
from .service import end_on_merge

on_merge(end_on_merge)
