# -*- coding: utf-8 -*-
# Copyright: Contributors to the systempay.odoo collection
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Fixture addon archives for the unit tests: the ones tests/fixtures/addons/build.py makes, and hand-made ones."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import os
import subprocess
import sys
import zipfile

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), '..', '..', '..'))
BUILD = os.path.join(ROOT, 'tests', 'fixtures', 'addons', 'build.py')
ZIP_DATE = (2024, 1, 1, 0, 0, 0)

# (version, declared range, line) of every archive build.py makes.
LINES = [
    ('1.2.5', 'Odoo_10-14', '1'), ('1.2.6', 'Odoo_10-14', '1'),
    ('2.0.4', 'Odoo_15', '2'), ('2.0.5', 'Odoo_15', '2'),
    ('3.0.3', 'Odoo_16', '3'), ('3.1.0', 'Odoo_16', '3'), ('3.1.1', 'Odoo_16', '3'),
    ('4.0.0', 'Odoo_17', '4'), ('4.1.0', 'Odoo_17-18', '4'), ('4.2.0', 'Odoo_17-18', '4'),
    ('4.3.0', 'Odoo_17-19', '4'),
]


class Fixtures:
    """The built archives: ``zip(version)``, ``unpacked(version)`` (the folder holding payment_<brand>/)."""

    def __init__(self, out):
        self.out = out

    def zip(self, version, brand='systempay'):
        for name in os.listdir(os.path.join(self.out, brand)):
            if name.endswith('_v%s.zip' % version):
                return os.path.join(self.out, brand, name)
        raise KeyError(version)

    def unpacked(self, version, brand='systempay'):
        return self.zip(version, brand)[:-len('.zip')]


def build(out):
    """Build every archive, unpacked too, for the systempay and payzen brands, into ``out``."""
    for brand in ('systempay', 'payzen'):
        subprocess.run([sys.executable, BUILD, '--brand', brand, '--out', os.path.join(out, brand), '--unpacked'],
                       check=True, capture_output=True)
    return Fixtures(out)


def make_zip(path, entries):
    """A zip of ``(name, bytes, mode)`` entries (a mode of None: no Unix mode, like a Windows zip)."""
    with zipfile.ZipFile(str(path), 'w', zipfile.ZIP_DEFLATED) as archive:
        for name, data, mode in entries:
            info = zipfile.ZipInfo(name, ZIP_DATE)
            if mode is not None:
                info.external_attr = mode << 16
            archive.writestr(info, data)
    return str(path)


def rezip(src, dst, drop=(), add=()):
    """Copy a zip without the entries named in ``drop``, plus the ``add`` entries."""
    with zipfile.ZipFile(src) as archive:
        entries = [(info.filename, archive.read(info), info.external_attr >> 16)
                   for info in archive.infolist() if info.filename not in drop]
    return make_zip(dst, entries + list(add))


CONSTANTS = 'payment_systempay/helpers/constants.py'


def latin1_constants(src, dst):
    """``src`` (a fixture zip) with the one fault of the vendor's public 4.3.0 release: ``helpers/constants.py``
    declares ``# coding: utf-8`` but holds a Latin-1 byte (0xE9 of "Alinéa") in a string, so Python cannot compile it
    and Odoo's -i fails with a SyntaxError. (compile(), like import, lets such a byte pass in a comment.)"""
    with zipfile.ZipFile(src) as archive:
        text = archive.read(CONSTANTS)
    faulty = b'# coding: utf-8\nADDRESS_LABEL = "Alin\xe9a 2"\n' + text
    return rezip(src, dst, drop=(CONSTANTS,), add=[(CONSTANTS, faulty, 0o100644)])
