{
    'name': 'Sales',
    'version': '1.2',
    'category': 'Sales/Sales',
    'depends': ['payment', 'account', 'portal'],
    'application': True,
    'license': 'LGPL-3',
}
