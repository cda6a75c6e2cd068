"""Generate the exercise sets from their masters with ``otter assign``.

Usage::

    python -m course_lib.exercises            # regenerate everything (what `make exercises` runs)
    python -m course_lib.exercises --check    # exit 1 if the committed files are out of date

Each master ``exercises/source/<NN_topic>.ipynb`` (otter assign format: solutions,
public and hidden tests) becomes

- ``exercises/student/<NN_topic>.ipynb``: the notebook learners open, with ``...``
  placeholders; ``grader.check("q1")`` runs the *public* tests in
  ``exercises/student/tests/<NN_topic>/``;
- ``exercises/solutions/<NN_topic>.ipynb``: the solved notebook, with *all* tests
  (public and hidden) in ``exercises/solutions/tests/<NN_topic>/``;
- ``exercises/autograder/<NN_topic>.zip``: the archive ``otter run`` (and
  :mod:`course_lib.grade`) grades with.

otter assign writes each notebook next to its own ``tests/`` folder; to keep one
folder of notebooks, the tests of each set move to ``tests/<NN_topic>/`` and the
notebook's otter init cell names that folder (``otter.Notebook(..., tests_dir=...)``).
The output is made deterministic (fixed cell ids, no outputs, fixed zip
timestamps), so regenerating unchanged masters changes no file.
"""

from __future__ import annotations

import argparse
import io
import json
import shutil
import sys
import tempfile
import zipfile
from pathlib import Path

__all__ = ["EXERCISES", "masters", "build", "build_all", "snapshot", "stale_files", "main"]

#: The repository's ``exercises`` folder.
EXERCISES = Path(__file__).resolve().parents[1] / "exercises"

#: Zip members that depend on the otter version rather than on the masters (its install scripts).
_VERSION_DEPENDENT = {"environment.yml", "setup.sh", "run_autograder", "run_otter.py", "requirements.txt"}


def masters(root=EXERCISES):
    """The master notebooks, ``root/source/NN_*.ipynb``, in order."""
    return sorted((Path(root) / "source").glob("[0-9][0-9]_*.ipynb"))


def _normalise_notebook(src, dst, prefix, tests_dir):
    """Copy a generated notebook with stable cell ids, no outputs, and an init cell that names ``tests_dir``."""
    import nbformat

    nb = nbformat.read(str(src), as_version=4)
    init = f'otter.Notebook("{Path(src).name}")'
    inits = [c for c in nb.cells if c.cell_type == "code" and init in c.source]
    if len(inits) != 1:
        raise RuntimeError(f"{Path(src).name}: expected one otter init cell calling {init}, found {len(inits)}")
    inits[0].source = inits[0].source.replace(init, f'otter.Notebook("{Path(src).name}", tests_dir="{tests_dir}")')
    for i, cell in enumerate(nb.cells):
        cell["id"] = f"{prefix}-{i:03d}"
        if cell.cell_type == "code":
            cell.outputs, cell.execution_count = [], None
        cell.metadata.pop("execution", None)
    nb.metadata.pop("widgets", None)
    nbformat.write(nb, str(dst))


def _deterministic_zip(src, dst):
    """Copy zip ``src`` to ``dst`` with sorted members, a fixed timestamp and fixed permissions."""
    with zipfile.ZipFile(src) as zin:
        members = sorted((info.filename, zin.read(info)) for info in zin.infolist() if not info.is_dir())
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", compression=zipfile.ZIP_DEFLATED) as zout:
        for name, data in members:
            info = zipfile.ZipInfo(name, date_time=(1980, 1, 1, 0, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = (0o755 if name == "run_autograder" else 0o644) << 16
            zout.writestr(info, data)
    Path(dst).write_bytes(buf.getvalue())


def build(master, root=EXERCISES, run_tests=True):
    """Run ``otter assign`` on one master and write its student, solutions and autograder outputs under ``root``.

    With ``run_tests`` (the default) otter also runs every test against the solutions, so a
    master whose solution fails its own tests is an error.
    """
    import otter.assign

    master, root = Path(master).resolve(), Path(root)
    name = master.stem
    with tempfile.TemporaryDirectory(prefix=f"otter-assign-{name}-") as tmp:
        dist = Path(tmp) / "dist"
        otter.assign.main(str(master), str(dist), no_pdfs=True, no_run_tests=not run_tests)
        outputs = {"student": dist / "student", "solutions": dist / "autograder"}
        for kind, src in outputs.items():
            notebook, tests = root / kind / master.name, root / kind / "tests" / name
            tests.parent.mkdir(parents=True, exist_ok=True)
            staged = Path(tmp) / f"{kind}.ipynb"
            _normalise_notebook(src / master.name, staged, kind, f"tests/{name}")
            shutil.copy(staged, notebook)
            if tests.exists():
                shutil.rmtree(tests)
            shutil.copytree(src / "tests", tests)
        (zip_path,) = (dist / "autograder").glob("*.zip")
        (root / "autograder").mkdir(parents=True, exist_ok=True)
        _deterministic_zip(zip_path, root / "autograder" / f"{name}.zip")


def build_all(root=EXERCISES, source_root=None, run_tests=True, names=None):
    """Build every master of ``source_root`` (default ``root``) into ``root``; return the set names."""
    built = []
    for master in masters(source_root or root):
        if names and master.stem not in names and master.stem[:2] not in names:
            continue
        print(f"otter assign {master.name}", flush=True)
        build(master, root, run_tests=run_tests)
        built.append(master.stem)
    return built


def snapshot(root=EXERCISES, names=None):
    """What the staleness check compares: ``{relative path: content}`` for every generated file.

    Notebooks are reduced to their cells' types, sources and tags (ids, outputs and kernel metadata
    are volatile); autograder zips to their tests and ``otter_config.json`` (otter's install scripts
    change with the otter version, not with the masters).
    """
    root = Path(root)
    out = {}
    for kind in ("student", "solutions"):
        for path in sorted((root / kind).rglob("*")):
            rel = path.relative_to(root / kind)
            name = rel.parts[1] if rel.parts[0] == "tests" and len(rel.parts) > 2 else rel.stem
            if not path.is_file() or any(part.startswith(".") or part == "__pycache__" for part in rel.parts) or (
                    names and name not in names):
                continue
            key = path.relative_to(root).as_posix()
            if path.suffix == ".ipynb":
                cells = json.loads(path.read_text())["cells"]
                out[key] = [(c["cell_type"], "".join(c["source"]), sorted(c["metadata"].get("tags", [])))
                            for c in cells]
            else:
                out[key] = path.read_text()
    for path in sorted((root / "autograder").glob("*.zip")):
        if names and path.stem not in names:
            continue
        with zipfile.ZipFile(path) as zf:
            for member in sorted(zf.namelist()):
                if member not in _VERSION_DEPENDENT:
                    out[f"{path.relative_to(root).as_posix()}:{member}"] = zf.read(member).decode()
    return out


def stale_files(root=EXERCISES):
    """Regenerate every set into a temporary folder (without re-running the tests) and list the differences.

    Returns
    -------
    list of str
        The generated files that are missing, extra or different in ``root``; empty when up to date.
    """
    with tempfile.TemporaryDirectory(prefix="exercises-check-") as tmp:
        build_all(root=tmp, source_root=root, run_tests=False)
        fresh, committed = snapshot(tmp), snapshot(root, names=None)
    problems = []
    for path in sorted(fresh.keys() | committed.keys()):
        if path not in committed:
            problems.append(f"missing: {path}")
        elif path not in fresh:
            problems.append(f"not generated by any master: {path}")
        elif fresh[path] != committed[path]:
            problems.append(f"out of date: {path}")
    return problems


def main(argv=None):
    parser = argparse.ArgumentParser(prog="python -m course_lib.exercises", description=__doc__.split("\n\n")[0])
    parser.add_argument("names", nargs="*", help="only these sets (e.g. 02 or 02_gradient_descent)")
    parser.add_argument("--check", action="store_true",
                        help="regenerate into a temporary folder and fail if the committed files differ")
    parser.add_argument("--no-run-tests", action="store_true",
                        help="do not run the tests against the solutions while generating")
    args = parser.parse_args(argv)
    if not masters():
        parser.exit(2, f"no masters found in {EXERCISES / 'source'}\n")
    if args.check:
        problems = stale_files()
        if problems:
            print("The generated exercises are out of date; run `make exercises`:", *problems, sep="\n  ")
            return 1
        print("The generated exercises are up to date.")
        return 0
    built = build_all(run_tests=not args.no_run_tests, names=args.names)
    if args.names and not built:
        parser.exit(2, f"no master matches {' '.join(args.names)}\n")
    print(f"generated {len(built)} exercise sets in {EXERCISES}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
