"""course_lib: the small, verified library behind the course "Optimization algorithms in deep learning".

The core, imported here:

objectives
    Test functions with sympy-derived gradients and Hessians.
optim
    Optimizers as pure ``init``/``update`` pairs, identical to ``torch.optim``.
run
    Run an optimizer on an objective and get a :class:`~course_lib.run.Trajectory`.

Everything else is one import away (``from course_lib import plotting``):
``rates``, ``sweep``, ``perturb``, ``distributed``, ``losses``, ``models``,
``data``, ``train``, ``style``, ``plotting``, ``explore``, ``widgets``,
``critical`` and the notebook explorers; see the README for a line on each.
They are not imported eagerly, so ``import course_lib`` stays fast.
"""

from . import objectives, optim
from .run import Trajectory, run, run_many

__version__ = "0.1.0"
__all__ = ["objectives", "optim", "run", "run_many", "Trajectory", "__version__"]
