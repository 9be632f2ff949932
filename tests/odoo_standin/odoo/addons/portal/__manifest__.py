{'name': 'Customer Portal', 'version': '1.0', 'category': 'Hidden', 'depends': ['web', 'mail'], 'license': 'LGPL-3'}
