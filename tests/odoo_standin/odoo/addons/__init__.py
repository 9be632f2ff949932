"""Namespace of all addons: ``odoo.addons.<name>``; ``__path__`` is extended by
``odoo.modules.initialize_sys_path`` with the data dir and the configured addons paths."""
__path__ = __import__('pkgutil').extend_path(__path__, __name__)
