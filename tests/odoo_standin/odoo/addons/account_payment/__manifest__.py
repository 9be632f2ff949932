{
    'name': 'Payment - Account',
    'version': '2.0',
    'category': 'Accounting/Accounting',
    'depends': ['account', 'payment'],
    'auto_install': True,
    'license': 'LGPL-3',
}
