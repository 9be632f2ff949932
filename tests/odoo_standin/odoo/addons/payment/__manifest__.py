{
    'name': 'Payment Engine',
    'version': '2.0',
    'category': 'Hidden',
    'summary': 'The payment engine used by payment provider modules.',
    'depends': ['portal'],
    # up to 15, payment depends on account; from 16 it does not
    'standin_depends': [(15, ['account']), (99, ['portal'])],
    'data': ['data/payment_data.xml'],
    'license': 'LGPL-3',
}
