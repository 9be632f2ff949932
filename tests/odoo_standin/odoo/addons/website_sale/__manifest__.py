{
    'name': 'eCommerce',
    'version': '1.1',
    'category': 'Website/Website',
    'depends': ['website', 'sale', 'website_payment'],
    'application': True,
    'license': 'LGPL-3',
}
