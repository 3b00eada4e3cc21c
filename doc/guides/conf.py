# SPDX-License-Identifier: BSD-3-Clause
# Copyright(c) 2026 The dpdk-emu authors
#
# Sphinx configuration of the guides (doc/guides). Built by the meson target
# "doc" (doc/meson.build): sphinx-build -W -E -b html, version given with
# -D version=... -D release=...; run by hand, the version is read from the
# top-level meson.build.
#
# It also provides the "features-matrix" directive: the table of the
# network PMDs' features, made from doc/guides/nics/features/*.ini (see
# doc/guides/nics/overview.rst).

import os
import re

from docutils import nodes
from docutils.parsers.rst import Directive, directives
from sphinx.errors import ExtensionError

_here = os.path.dirname(os.path.abspath(__file__))
_top = os.path.normpath(os.path.join(_here, '..', '..'))


def _project_version():
    try:
        with open(os.path.join(_top, 'meson.build'), encoding='utf-8') as f:
            m = re.search(r"\bversion\s*:\s*'([^']+)'", f.read())
    except OSError:
        m = None
    return m.group(1) if m else 'unknown'


project = 'dpdk-emu'
copyright = '2026, The dpdk-emu authors'
author = 'The dpdk-emu authors'
version = _project_version()
release = version

master_doc = 'index'
root_doc = 'index'
exclude_patterns = ['_build', 'Thumbs.db', '.DS_Store']
language = 'en'
highlight_language = 'none'
html_theme = 'alabaster'
html_title = 'dpdk-emu %s documentation' % release
html_show_sourcelink = False
html_copy_source = False
html_static_path = []
html_last_updated_fmt = None
html_theme_options = {
    'description': 'PCI devices served by DPDK over vfio-user',
    'fixed_sidebar': False,
    'page_width': '1100px',
}


# --------------------------------------------------------------- features

FEATURES_DIR = os.path.join(_here, 'nics', 'features')
FEATURES_DEFAULT = 'default.ini'
FEATURES_VALUES = {'Y': 'Y', 'P': 'P', '': ''}


def _parse_ini(path):
    """Read one features .ini file.

    Returns an ordered list of (section, key, value, note): the value
    without its inline comment, the comment (after ';') as the note. Lines
    starting with ';' are comments. Anything else is an error naming the
    file and line.
    """
    entries = []
    section = None
    with open(path, encoding='utf-8') as f:
        for lineno, raw in enumerate(f, 1):
            line = raw.strip()
            if not line or line.startswith(';') or line.startswith('#'):
                continue
            if line.startswith('['):
                if not line.endswith(']') or len(line) < 3:
                    raise ExtensionError('%s:%d: bad section line %r' % (path, lineno, line))
                section = line[1:-1].strip()
                continue
            if section is None:
                raise ExtensionError('%s:%d: entry before any section' % (path, lineno))
            if '=' not in line:
                raise ExtensionError('%s:%d: not "name = value": %r' % (path, lineno, line))
            key, rest = line.split('=', 1)
            note = ''
            if ';' in rest:
                rest, note = rest.split(';', 1)
            entries.append((section, key.strip(), rest.strip(), note.strip()))
    return entries


def _load_features():
    """The features of default.ini (in order) and every driver's marks.

    Returns (features, drivers): features a list of names of the
    [Features] section of default.ini; drivers a sorted list of
    (name, {feature: (value, note)}), name being the file's name without
    .ini. Every driver feature must be one of default.ini, with a value
    Y or P (or empty), once.
    """
    default = os.path.join(FEATURES_DIR, FEATURES_DEFAULT)
    features = []
    for section, key, value, _ in _parse_ini(default):
        if section != 'Features':
            continue
        if value:
            raise ExtensionError('%s: %s: default.ini has no values' % (default, key))
        if key in features:
            raise ExtensionError('%s: %s twice' % (default, key))
        features.append(key)
    if not features:
        raise ExtensionError('%s: no [Features]' % default)
    drivers = []
    for fname in sorted(os.listdir(FEATURES_DIR)):
        if not fname.endswith('.ini') or fname == FEATURES_DEFAULT:
            continue
        path = os.path.join(FEATURES_DIR, fname)
        marks = {}
        for section, key, value, note in _parse_ini(path):
            if section != 'Features':
                raise ExtensionError('%s: section [%s]: only [Features] is known' % (path, section))
            if key not in features:
                raise ExtensionError('%s: %r is not a feature of default.ini' % (path, key))
            if key in marks:
                raise ExtensionError('%s: %s twice' % (path, key))
            if value not in FEATURES_VALUES:
                raise ExtensionError('%s: %s = %r: the value must be Y, P or empty' %
                                     (path, key, value))
            if value == 'P' and not note:
                raise ExtensionError('%s: %s = P needs a note (after ";") saying what is missing' %
                                     (path, key))
            marks[key] = (value, note)
        drivers.append((fname[:-len('.ini')], marks))
    if not drivers:
        raise ExtensionError('%s: no driver .ini file' % FEATURES_DIR)
    return features, drivers


class FeaturesMatrix(Directive):
    """``.. features-matrix::``: the features table and its notes.

    Option ``:all:`` lists every feature of default.ini; by default the
    rows are the features at least one driver's file names.
    """

    has_content = False
    option_spec = {'all': directives.flag}

    def run(self):
        env = self.state.document.settings.env
        env.note_dependency(os.path.join(FEATURES_DIR, FEATURES_DEFAULT))
        for fname in os.listdir(FEATURES_DIR):
            if fname.endswith('.ini'):
                env.note_dependency(os.path.join(FEATURES_DIR, fname))
        features, drivers = _load_features()
        if 'all' not in self.options:
            features = [f for f in features if any(f in m for _, m in drivers)]

        notes = []
        table = nodes.table(classes=['features-matrix'])
        tgroup = nodes.tgroup(cols=len(drivers) + 1)
        table += tgroup
        tgroup += nodes.colspec(colwidth=30, stub=1)
        for _ in drivers:
            tgroup += nodes.colspec(colwidth=12)
        thead = nodes.thead()
        tgroup += thead
        row = nodes.row()
        row += nodes.entry('', nodes.paragraph(text='Feature'))
        for name, _ in drivers:
            row += nodes.entry('', nodes.paragraph(text=name))
        thead += row
        tbody = nodes.tbody()
        tgroup += tbody
        for feature in features:
            row = nodes.row()
            row += nodes.entry('', nodes.paragraph(text=feature))
            for name, marks in drivers:
                value, note = marks.get(feature, ('', ''))
                text = value
                if note:
                    notes.append((name, feature, note))
                    text = ('%s [%d]' % (value, len(notes))).strip()
                row += nodes.entry('', nodes.paragraph(text=text))
            tbody += row

        result = [table]
        if notes:
            lst = nodes.enumerated_list(enumtype='arabic', prefix='[', suffix=']')
            for name, feature, note in notes:
                item = nodes.list_item()
                para = nodes.paragraph()
                para += nodes.literal(text=name)
                para += nodes.Text(', %s: %s' % (feature, note))
                item += para
                lst += item
            result.append(lst)
        return result


def setup(app):
    app.add_directive('features-matrix', FeaturesMatrix)
    return {'parallel_read_safe': True, 'parallel_write_safe': True}
