"""Command line: ``odoo [server options]`` and ``odoo shell``."""
import sys


def main(argv=None):
    args = list(sys.argv[1:] if argv is None else argv)
    command = 'server'
    if args and not args[0].startswith('-') and args[0] in ('server', 'shell'):
        command = args.pop(0)
    if command == 'shell':
        from .shell import main as shell_main
        return shell_main(args)
    from .server import main as server_main
    return server_main(args)
