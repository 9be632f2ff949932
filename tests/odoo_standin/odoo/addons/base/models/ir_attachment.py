"""Attachments, their binary content in the database's filestore, as Odoo keeps them by default.

The content of an attachment (``raw``, or ``datas`` in base64) is written to ``<data_dir>/filestore/<db>/<sha1[:2]>/
<sha1>`` (``config.filestore``, ``_get_path``, ``_file_write``) and the record holds ``store_fname`` (that path
relative to the filestore), ``checksum`` (the SHA-1), ``file_size`` and ``mimetype``; ``raw`` and ``datas`` have no
column and are read from the file. A file already there (same content) is not written again. Deleting a record
leaves its file, which Odoo's garbage collection removes later (not modelled). ``ir_attachment.location`` other
than ``file`` (content in ``db_datas``) is not modelled.
"""
import base64
import hashlib
import mimetypes
import os
import re

from odoo import api, fields, models, release
from odoo.exceptions import UserError
from odoo.tools import config

CONTENT_FIELDS = ('raw', 'datas')


class IrAttachment(models.Model):
    _name = 'ir.attachment'
    _description = 'Attachment'
    _order = 'id desc'

    name = fields.Char('Name', required=True)
    description = fields.Text('Description')
    res_model = fields.Char('Resource Model', readonly=True)
    res_field = fields.Char('Resource Field', readonly=True)
    res_id = fields.Integer('Resource ID', readonly=True)       # a Many2oneReference in Odoo: an int4 column too
    company_id = fields.Many2one('res.company', string='Company')
    type = fields.Selection([('url', 'URL'), ('binary', 'File')], string='Type', required=True, default='binary')
    url = fields.Char('Url', size=1024)
    public = fields.Boolean('Is public document')
    access_token = fields.Char('Access Token')
    if release.version_info[0] >= 14:
        raw = fields.Binary(string="File Content (raw)", compute='_compute_raw', inverse='_inverse_raw')
    datas = fields.Binary(string='File Content (base64)', compute='_compute_datas', inverse='_inverse_datas')
    db_datas = fields.Binary('Database Data', attachment=False)
    store_fname = fields.Char('Stored Filename')
    file_size = fields.Integer('File Size', readonly=True)
    checksum = fields.Char("Checksum/SHA1", size=40, readonly=True)
    mimetype = fields.Char('Mime Type', readonly=True)
    index_content = fields.Text('Indexed Content', readonly=True)

    # the filestore --------------------------------------------------------------------------------------------------
    @api.model
    def _filestore(self):
        return config.filestore(self.env.cr.dbname)

    @api.model
    def _full_path(self, path):
        path = re.sub('[.]', '', path).strip('/\\')
        return os.path.join(self._filestore(), path)

    @api.model
    def _get_path(self, bin_data, sha):
        fname = sha[:2] + '/' + sha
        full_path = self._full_path(fname)
        os.makedirs(os.path.dirname(full_path), exist_ok=True)
        if os.path.isfile(full_path):
            with open(full_path, 'rb') as stored:
                if stored.read() != bin_data:
                    raise UserError("The attachment collides with an existing file.")
        return fname, full_path

    @api.model
    def _file_read(self, fname):
        try:
            with open(self._full_path(fname), 'rb') as stored:
                return stored.read()
        except OSError:
            return b''

    @api.model
    def _file_write(self, bin_value, checksum):
        fname, full_path = self._get_path(bin_value, checksum)
        if not os.path.exists(full_path):
            with open(full_path, 'wb') as out:
                out.write(bin_value)
        return fname

    @api.model
    def _compute_checksum(self, bin_data):
        return hashlib.sha1(bin_data or b'').hexdigest()

    def _content_values(self, vals):
        """``vals`` with ``raw`` / ``datas`` replaced by what Odoo stores for them (``_get_datas_related_values``)."""
        vals = dict(vals)
        raw = None
        if 'raw' in vals:
            raw = vals.pop('raw') or b''
            raw = raw.encode('utf-8') if isinstance(raw, str) else raw
        if 'datas' in vals:
            raw = base64.b64decode(vals.pop('datas') or b'')
        if raw is None:
            return vals
        checksum = self._compute_checksum(raw)
        vals.update(file_size=len(raw), checksum=checksum, index_content=False, db_datas=False,
                    store_fname=self._file_write(raw, checksum) if raw else False)
        if not vals.get('mimetype'):
            vals['mimetype'] = mimetypes.guess_type(vals.get('name') or self.name or '')[0] \
                or 'application/octet-stream'
        return vals

    @api.model_create_multi
    def create(self, vals_list):
        vals_list = [vals_list] if isinstance(vals_list, dict) else vals_list
        return super().create([self._content_values(vals) for vals in vals_list])

    def write(self, vals):
        if not any(name in vals for name in CONTENT_FIELDS):
            return super().write(vals)
        for record in self:
            super(IrAttachment, record).write(record._content_values(vals))
        return True

    def _stored_values(self):
        """The stored values, with ``raw`` and ``datas`` read from the filestore (Odoo computes them)."""
        vals = dict(super()._stored_values())
        content = self._file_read(vals['store_fname']) if vals.get('store_fname') else b''
        vals['datas'] = base64.b64encode(content).decode('ascii') if content else None
        if 'raw' in self._fields:
            vals['raw'] = content or None
        return vals
