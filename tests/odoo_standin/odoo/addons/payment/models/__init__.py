"""What exists here follows the series, as in Odoo: ``payment_acquirer`` (``payment.acquirer``) up
to 15, ``payment_provider`` (``payment.provider``) from 16; ``payment.icon`` up to 16, ``payment.method``
from 17.  The other one is not importable
(``ModuleNotFoundError: No module named 'odoo.addons.payment.models.payment_acquirer'``)."""
import os

from odoo import release

MAJOR = release.version_info[0]
__path__.append(os.path.join(os.path.dirname(__file__), 'provider' if MAJOR >= 16 else 'acquirer'))

if MAJOR >= 16:
    from . import payment_provider  # noqa: F401,E402
else:
    from . import payment_acquirer  # noqa: F401,E402
from . import payment_transaction  # noqa: F401,E402
# Odoo 17 replaced payment.icon (and the providers' payment_icon_ids) by payment.method
if MAJOR >= 17:
    from . import payment_method  # noqa: F401,E402
else:
    from . import payment_icon  # noqa: F401,E402
