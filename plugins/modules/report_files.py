#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: Contributors to the systempay.odoo collection
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r'''
---
module: report_files
short_description: Write the run report's files on the controller
version_added: 0.1.0
description:
  - Writes text files (the run report as JSON, Markdown and JUnit XML) on the Ansible controller, in the controller's
    own process. No module is sent anywhere, whatever host the task runs for.
  - Each file is written to a temporary file in its folder, then renamed over the old one, and only when its content
    or mode differs. Missing folders are created.
  - This is an action plugin; this page only documents it.
author:
  - Systempay Odoo collection contributors (@systempay)
options:
  files:
    description: The files to write.
    type: list
    elements: dict
    required: true
    suboptions:
      path:
        description: Where to write the file, on the controller.
        type: path
        required: true
      content:
        description: The text to write (UTF-8).
        type: str
        required: true
  mode:
    description: Permission bits of every file written, in octal.
    type: str
    default: '0644'
  directory_mode:
    description: Permission bits of the folders created, in octal.
    type: str
    default: '0755'
attributes:
  check_mode:
    description: Can run in check_mode and return changed status prediction without modifying target.
    support: full
    details: In check mode nothing is written; RV(written) lists the files that would be.
  diff_mode:
    description: Will return details on what has changed (or possibly needs changing in check_mode), when in diff mode.
    support: none
  platform:
    description: Target OS/families that can be operated against.
    support: N/A
    platforms: posix
    details: Runs on the controller only.
'''

EXAMPLES = r'''
- name: Write the run report
  systempay.odoo.report_files:
    files:
      - path: /srv/reports/run.json
        content: "{{ report | to_nice_json }}"
      - path: /srv/reports/run.md
        content: "{{ lookup('ansible.builtin.template', 'report.md.j2') }}"
  run_once: true
'''

RETURN = r'''
files:
  description: The absolute path of every file given.
  returned: always
  type: list
  elements: str
written:
  description: The files whose content or mode differed, written (or, in check mode, that would be).
  returned: always
  type: list
  elements: str
'''
