"""The two ways of installing the course name the same packages; the repository has its promised layout."""

import re
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


#: conda-forge packages named differently from their pip counterparts.
CONDA_NAMES = {"python-isal": "isal"}


def canonical(requirement):
    """'ipywidgets>=8.0,<9' -> ('ipywidgets', '>=8.0,<9'); conda's '=0.11.*' and pip's '==0.11.*' agree."""
    m = re.match(r"\s*([A-Za-z0-9_.\-]+)\s*(.*)", requirement)
    name, spec = m.group(1).lower().replace("_", "-"), m.group(2).replace(" ", "")
    name = CONDA_NAMES.get(name, name)
    spec = re.sub(r"^=(?!=)", "==", spec)
    return name, spec


def pyproject_requirements():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    deps = project["dependencies"] + project["optional-dependencies"]["test"]
    return dict(canonical(d) for d in deps), project["requires-python"]


def environment_requirements():
    """The conda dependencies of environment.yml (a flat list; parsed without a YAML library)."""
    deps, section = {}, None
    for line in (ROOT / "environment.yml").read_text().splitlines():
        stripped = line.split("#")[0].rstrip()
        if re.match(r"^\w+:", stripped):
            section = stripped.split(":")[0]
        if re.match(r"^\s*- pip:\s*$", stripped):
            section = "pip"
            continue
        m = re.match(r"^  - (.+)$", stripped)
        if m and section == "dependencies":
            deps.__setitem__(*canonical(m.group(1)))
    return deps


def test_environment_yml_names_the_same_packages_as_pyproject():
    pip, requires_python = pyproject_requirements()
    conda = environment_requirements()
    python = conda.pop("python")
    conda.pop("pip")
    assert python == requires_python.replace(" ", "")
    assert conda == pip


def test_environment_yml_installs_the_package():
    text = (ROOT / "environment.yml").read_text()
    assert re.search(r"^  - pip:\n      - -e \.\s*$", text, re.M)


def test_nbval_is_pinned_and_nothing_else_is():
    pip, _ = pyproject_requirements()
    assert pip["nbval"] == "==0.11.*"
    assert [n for n, spec in pip.items() if "==" in spec] == ["nbval"]


def test_layout():
    for path in ["README.md", "environment.yml", "pyproject.toml", "Makefile", "notebooks", "course_lib", "tests",
                 "exercises", "benchmarks", ".ci/run"]:
        assert (ROOT / path).exists(), path


def test_ci_runs_make_test():
    assert re.search(r"^\s*make test\b", (ROOT / ".ci" / "run").read_text(), re.M)


def test_course_lib_does_not_need_torch():
    sources = "\n".join(p.read_text() for p in (ROOT / "course_lib").rglob("*.py"))
    assert not re.search(r"^\s*(import|from)\s+torch\b", sources, re.M)


def test_the_browser_half_of_every_widget_is_installed_with_the_package():
    """course_lib's JavaScript (figure_view.js) is package data, so a non-editable install has it too."""
    import fnmatch

    patterns = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]["package-data"]["course_lib"]
    scripts = [p.name for p in (ROOT / "course_lib").glob("*.js")]
    assert "figure_view.js" in scripts
    assert all(any(fnmatch.fnmatch(name, pattern) for pattern in patterns) for name in scripts)
