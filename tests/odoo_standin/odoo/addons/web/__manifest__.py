{
    'name': 'Web',
    'category': 'Hidden',
    'version': '1.0',
    'depends': ['base'],
    'auto_install': True,
    'license': 'LGPL-3',
}
