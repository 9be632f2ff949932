{
    'name': 'Payment Engine',
    'version': '2.0',
    'category': 'Hidden',
    'summary': 'The payment engine used by payment provider modules.',
    'depends': ['portal'],
    # up to 15, payment depends on account; from 16 it does not
    'standin_depends': [(15, ['account']), (99, ['portal'])],
    # data files: up to 16, payment icons; from 17, payment methods (Odoo 17 replaced payment.icon by payment.method)
    'standin_data': [(16, ['data/payment_data.xml']), (99, ['data/payment_method_data.xml'])],
    'license': 'LGPL-3',
}
