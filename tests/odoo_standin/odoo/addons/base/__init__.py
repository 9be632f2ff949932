from . import models, controllers  # noqa: F401
