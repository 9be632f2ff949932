{
    'name': 'Website',
    'version': '1.0',
    'category': 'Website/Website',
    'depends': ['web', 'mail', 'portal'],
    'data': ['data/website_data.xml'],
    'application': True,
    'license': 'LGPL-3',
}
