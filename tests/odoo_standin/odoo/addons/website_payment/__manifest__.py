{
    'name': 'Payment - Website',
    'version': '1.0',
    'category': 'Hidden',
    'depends': ['website', 'payment', 'portal'],
    'auto_install': False,
    'license': 'LGPL-3',
}
