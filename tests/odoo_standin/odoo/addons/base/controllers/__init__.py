from . import rpc  # noqa: F401
