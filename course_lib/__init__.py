"""course_lib: the small, verified library behind the course "Optimization algorithms in deep learning".

Modules
-------
objectives
    Test functions with sympy-derived gradients and Hessians.
optim
    Optimizers as pure ``init``/``update`` pairs, identical to ``torch.optim``.
run
    Run an optimizer on an objective and get a :class:`~course_lib.run.Trajectory`.
"""

from . import objectives, optim
from .run import Trajectory, run, run_many

__version__ = "0.1.0"
__all__ = ["objectives", "optim", "run", "run_many", "Trajectory", "__version__"]
