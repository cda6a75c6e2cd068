"""course_lib: the small, verified library behind the course "Optimization algorithms in deep learning".

The core:

objectives
    Test functions with sympy-derived gradients and Hessians.
optim
    Optimizers as pure ``init``/``update`` pairs, identical to ``torch.optim``.
run
    Run an optimizer on an objective and get a :class:`~course_lib.run.Trajectory`.

Everything else is one import away (``from course_lib import plotting``):
``rates``, ``sweep``, ``perturb``, ``distributed``, ``losses``, ``models``,
``data``, ``train``, ``style``, ``plotting``, ``explore``, ``widgets``,
``painter``, ``scene``, ``figure_view``, ``png``, ``idle``, ``critical``, ``random_hessians``
and the notebook explorers; see the README for a line on each.

Only ``optim`` and ``run`` (which need nothing but NumPy) are imported with the
package. Every other module, ``objectives`` included, is imported the first
time it is used -- ``from course_lib import objectives`` or
``course_lib.objectives`` both work -- so ``import course_lib`` does not pay
for sympy, matplotlib or scikit-learn until they are needed.
"""

import importlib
import pkgutil

from . import optim
from .run import Trajectory, run, run_many

__version__ = "0.1.0"
__all__ = ["objectives", "optim", "run", "run_many", "Trajectory", "__version__"]

#: The submodules loaded on first use.
LAZY_MODULES = frozenset(m.name for m in pkgutil.iter_modules(__path__)) - {"optim", "run"}


def __getattr__(name):
    """Import a submodule the first time it is used (PEP 562)."""
    if name in LAZY_MODULES:
        return importlib.import_module(f".{name}", __name__)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def __dir__():
    return sorted(set(globals()) | LAZY_MODULES)
