{'name': 'Discuss', 'version': '1.10', 'category': 'Productivity/Discuss', 'depends': ['base', 'web'], 'license': 'LGPL-3'}
