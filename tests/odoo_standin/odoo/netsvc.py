"""Logging in Odoo's format: ``YYYY-MM-DD HH:MM:SS,mmm PID LEVEL db logger: message``.

The database column comes from ``threading.current_thread().dbname`` (``?`` when unset), as in Odoo.
"""
import logging
import os
import sys
import threading


class DBFormatter(logging.Formatter):
    def format(self, record):
        record.pid = os.getpid()
        record.dbname = getattr(threading.current_thread(), 'dbname', '?')
        return super().format(record)


def init_logger(logfile=None, level='info'):
    # Without a log file Odoo logs to standard output (odoo/netsvc.py init_logger).
    handler = logging.FileHandler(logfile) if logfile else logging.StreamHandler(sys.stdout)
    handler.setFormatter(DBFormatter('%(asctime)s %(pid)s %(levelname)s %(dbname)s %(name)s: %(message)s'))
    root = logging.getLogger()
    for old in list(root.handlers):
        root.removeHandler(old)
    root.addHandler(handler)
    root.setLevel(getattr(logging, str(level).upper(), logging.INFO))
