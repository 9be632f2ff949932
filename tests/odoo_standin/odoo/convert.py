"""Loading of the data files listed in a manifest (Odoo's ``odoo/tools/convert.py``, reduced).

XML ``<odoo>``/``<openerp>`` with ``<data noupdate="1">``, ``<record id model>`` + ``<field>``
(text, ``ref=``, ``eval=``, ``type="xml|html|int|float"``), ``<template>`` (an ``ir.ui.view``),
``<function model name eval>``; ``<menuitem>``, ``<delete>``, ``<report>``, ``<act_window>`` are
ignored, as are CSV and SQL files.  In ``update`` mode, records of ``noupdate`` blocks that already
exist are left alone.
"""
import logging
import os
import xml.etree.ElementTree as ET

from .tools.safe_eval import safe_eval

_logger = logging.getLogger('odoo.modules.loading')

_TRUE = ('1', 'true', 'yes', 'on')


def _bool(value, default=False):
    return default if value is None else value.strip().lower() in _TRUE


def load_data(env, module, manifest, mode):
    for kind in ('data', 'init_xml', 'update_xml'):
        for filename in manifest.get(kind) or []:
            path = os.path.join(manifest['module_path'], filename)
            _logger.info("loading %s/%s", module, filename)
            if filename.endswith('.xml'):
                XmlImport(env, module, mode).parse(ET.parse(path).getroot())


class XmlImport:
    def __init__(self, env, module, mode):
        self.env = env
        self.module = module
        self.mode = mode

    def _full_id(self, xml_id):
        return xml_id if '.' in xml_id else '%s.%s' % (self.module, xml_id)

    def id_get(self, xml_id):
        return self.env['ir.model.data']._xmlid_to_res_id(self._full_id(xml_id), raise_if_not_found=True)

    def parse(self, root, noupdate=False):
        if root.tag not in ('odoo', 'openerp', 'data'):
            raise ValueError("Root xml tag must be <openerp>, <odoo> or <data>.")
        noupdate = _bool(root.get('noupdate'), noupdate)
        for node in root:
            if node.tag == 'data':
                self.parse(node, noupdate)
            elif node.tag == 'record':
                self._tag_record(node, noupdate)
            elif node.tag == 'template':
                self._tag_template(node, noupdate)
            elif node.tag == 'function':
                self._tag_function(node)

    def _eval_context(self):
        return {'ref': self.id_get, 'obj': lambda x: x, 'True': True, 'False': False, 'None': None}

    def _field_value(self, model, node):
        name = node.get('name')
        field = model._fields.get(name)
        if node.get('ref'):
            return self.id_get(node.get('ref')) if node.get('ref') != 'False' else False
        if node.get('eval') is not None:
            return safe_eval(node.get('eval'), self._eval_context())
        if node.get('type') in ('xml', 'html') or (field is not None and field.type == 'html' and len(node)):
            return (node.text or '') + ''.join(ET.tostring(child, encoding='unicode') for child in node)
        text = node.text or ''
        if node.get('type') == 'int' or (field is not None and field.type == 'integer'):
            return int(text.strip() or 0)
        if node.get('type') == 'float' or (field is not None and field.type in ('float', 'monetary')):
            return float(text.strip() or 0)
        if field is not None and field.type == 'boolean':
            return text.strip().lower() not in ('', '0', 'false', 'off')
        return text

    def _load_record(self, model_name, xml_id, values, noupdate, forcecreate=True):
        if model_name not in self.env.registry:
            raise TypeError("Model %r does not exist in registry." % model_name)
        model = self.env[model_name]
        data = self.env['ir.model.data']
        record = None
        if xml_id:
            module, name = self._full_id(xml_id).split('.', 1)
            imd = data.search([('module', '=', module), ('name', '=', name)], limit=1)
            if imd:
                record = model.browse(imd.res_id).exists()
                if record and noupdate and self.mode != 'init':
                    return record
                if not record and noupdate and self.mode != 'init' and not forcecreate:
                    return None
        if record:
            record.write(values)
        else:
            record = model.create(values)
        if xml_id:
            data._update_xmlid(module, name, model_name, record.id, noupdate)
        return record

    def _tag_record(self, node, noupdate):
        model_name = node.get('model')
        if model_name not in self.env.registry:
            raise TypeError("Model %r does not exist in registry." % model_name)
        model = self.env[model_name]
        values = {}
        for child in node:
            if child.tag == 'field':
                values[child.get('name')] = self._field_value(model, child)
        self._load_record(model_name, node.get('id'), values, noupdate, _bool(node.get('forcecreate'), True))

    def _tag_template(self, node, noupdate):
        xml_id = node.get('id')
        arch = ''.join(ET.tostring(child, encoding='unicode') for child in node)
        values = {'name': node.get('name') or xml_id, 'type': 'qweb', 'arch': arch,
                  'key': self._full_id(xml_id)}
        self._load_record('ir.ui.view', xml_id, values, noupdate)

    def _tag_function(self, node):
        model = self.env[node.get('model')]
        args = safe_eval(node.get('eval'), self._eval_context()) if node.get('eval') else []
        getattr(model, node.get('name'))(*args)
