"""Networks, losses and the algorithms that train them. Importing this package
registers every built-in component."""
from sketchgen.models import algorithms, discriminators, generators, losses  # noqa: F401
