"""RPC services (``/xmlrpc/2/common``, ``/xmlrpc/2/object``, ``/xmlrpc/2/db``), as Odoo 16's
``odoo/service/{common,model,db}.py`` and ``odoo/addons/base/controllers/rpc.py``."""
