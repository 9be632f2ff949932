"""Release data of the Odoo stand-in.

An installer rewrites the ``version_info`` line (one line) to make the stand-in claim another series,
e.g. ``version_info = (12, 0, 0, 'final', 0, '')``. Everything else derives from it, as in Odoo's
``odoo/release.py``.
"""
version_info = (16, 0, 0, 'final', 0, '')

RELEASE_LEVELS_DISPLAY = {'alpha': 'alpha', 'beta': 'beta', 'candidate': 'rc', 'final': ''}

serie = series = major_version = '.'.join(str(s) for s in version_info[:2])
version = (serie + RELEASE_LEVELS_DISPLAY[version_info[3]]
           + str(version_info[4] or '') + version_info[5])

product_name = 'Odoo'
description = 'Odoo Server'
author = 'OpenERP S.A.'
nt_service_name = 'odoo-server-' + series.replace('~', '-')
