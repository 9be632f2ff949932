{
    'name': 'Base',
    'version': '1.3',
    'category': 'Hidden',
    'summary': 'The kernel of the Odoo stand-in, needed for all installations.',
    'depends': [],
    'data': ['data/base_data.xml'],
    'installable': True,
    'auto_install': True,
    'license': 'LGPL-3',
}
