"""Every lesson notebook has the parts CONTRIBUTING.md promises, and is committed executed."""

import json
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))


def cells(path):
    return json.loads(path.read_text())["cells"]


def source(cell):
    return "".join(cell["source"])


def markdown(path):
    return "\n".join(source(c) for c in cells(path) if c["cell_type"] == "markdown")


def code_cells(path):
    return [c for c in cells(path) if c["cell_type"] == "code" and source(c).strip()]


def test_notebooks_are_numbered_without_gaps():
    numbers = [int(p.name[:2]) for p in NOTEBOOKS]
    assert numbers == list(range(len(numbers))), numbers


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.stem for p in NOTEBOOKS])
def test_committed_executed_with_a_kernelspec(path):
    nb = json.loads(path.read_text())
    assert nb["metadata"]["kernelspec"]["name"] == "python3"
    counts = [c.get("execution_count") for c in code_cells(path)]
    assert all(counts), f"unexecuted code cells in {path.name}"
    assert counts == sorted(counts), f"{path.name} was not executed top to bottom in one run"
    errors = [o for c in code_cells(path) for o in c.get("outputs", []) if o["output_type"] == "error"]
    assert not errors


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.stem for p in NOTEBOOKS])
def test_has_the_promised_sections(path):
    text = markdown(path)
    assert re.search(r"^#+ .*What you will learn", text, re.M | re.I), "no 'What you will learn' section"
    assert re.search(r"^#+ .*Summary", text, re.M | re.I), "no 'Summary' section"
    if path.name[:2] != "00":
        assert re.search(r"What to notice", text, re.I), "no 'What to notice'"


@pytest.mark.parametrize("path", [p for p in NOTEBOOKS if p.name[:2] != "00"], ids=lambda p: p.stem)
def test_links_its_exercise_set(path):
    links = re.findall(r"\]\((\.\./exercises/student/[^)]+\.ipynb)\)", markdown(path))
    assert links, "no link to ../exercises/student/NN_topic.ipynb"
    for link in links:
        assert link.split("/")[-1][:2] == path.name[:2], f"{link} is not this notebook's exercise set"
        assert (path.parent / link).resolve().exists(), f"{link} does not exist"


@pytest.mark.parametrize("path", [p for p in NOTEBOOKS if p.name[:2] != "00"], ids=lambda p: p.stem)
def test_figures_have_alt_text_and_there_is_math_and_a_widget(path):
    code = "\n".join(source(c) for c in code_cells(path))
    assert len(re.findall(r"\bshow\(|race_html\(|alt=", code)) >= 2, "fewer than two figures shown with alt text"
    assert "sympy" in code or "sp." in code, "no sympy cell"
    assert "widgets." in code or "explorer" in code.lower(), "no live widget"
    assert "$" in markdown(path), "no LaTeX math in the prose"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.stem for p in NOTEBOOKS])
def test_ignore_markers_only_on_widget_or_animation_cells(path):
    for c in code_cells(path):
        src = source(c)
        if "NBVAL_IGNORE_OUTPUT" in src:
            assert re.search(r"widget|explorer|anim|race|display|interact", src, re.I), \
                f"NBVAL_IGNORE_OUTPUT on a cell that shows no widget or animation:\n{src[:300]}"
        assert "NBVAL_SKIP" not in src, "cells must run under nbval"
