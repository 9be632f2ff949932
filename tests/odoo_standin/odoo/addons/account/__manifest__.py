{
    'name': 'Invoicing',
    'version': '1.2',
    'category': 'Accounting/Accounting',
    'depends': ['base', 'mail', 'portal'],
    'data': ['data/account_data.xml'],
    'application': True,
    'license': 'LGPL-3',
}
