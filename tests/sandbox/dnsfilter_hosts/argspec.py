"""Argument specs and return fields of the real Windows modules, read from their documentation.

No PowerShell runs here, so the real module's own validation never happens; validating against the spec
documented beside the ``.ps1`` makes a misspelled option or a bad choice fail as it would on Windows.
"""
from __future__ import annotations

import functools
import os

import ansible_collections
from ansible.module_utils.common.arg_spec import ArgumentSpecValidator
from ansible.plugins.loader import fragment_loader
from ansible.utils.plugin_docs import get_docstring

# Types the documentation may use that ArgumentSpecValidator does not know; the .ps1 spec types them loosely.
_LOOSE_TYPES = {'sid': 'str', 'any': 'raw'}


class ModuleNotEmulated(Exception):
    """The task named a module that this host cannot answer."""


def _collection_dir(collection: str) -> str:
    namespace, name = collection.split('.')
    for base in ansible_collections.__path__:
        path = os.path.join(base, namespace, name, 'plugins', 'modules')
        if os.path.isdir(path):
            return path
    raise ModuleNotEmulated(f'collection {collection} is not installed')


def _to_spec(options: dict) -> dict:
    spec = {}
    for name, doc in (options or {}).items():
        entry = {'type': _LOOSE_TYPES.get(doc.get('type', 'str'), doc.get('type', 'str'))}
        for key in ('required', 'default', 'choices', 'aliases', 'no_log', 'elements'):
            if key in doc:
                entry[key] = doc[key]
        if entry.get('elements') in _LOOSE_TYPES:
            entry['elements'] = _LOOSE_TYPES[entry['elements']]
        if doc.get('suboptions'):
            entry['options'] = _to_spec(doc['suboptions'])
        spec[name] = entry
    return spec


@functools.lru_cache(maxsize=None)
def module_docs(fqcn: str) -> tuple[dict, dict]:
    """Return (argument spec, return docs) of a module such as ``ansible.windows.win_package``."""
    namespace, name, module = fqcn.split('.')
    directory = _collection_dir(f'{namespace}.{name}')
    for ext in ('.py', '.yml'):
        path = os.path.join(directory, module + ext)
        if os.path.exists(path):
            doc, _examples, returns, _meta = get_docstring(path, fragment_loader, is_module=True, collection_name=f'{namespace}.{name}')
            return _to_spec(doc.get('options')), dict(returns or {})
    raise ModuleNotEmulated(f'{fqcn} has no documentation file')


def validate(fqcn: str, args: dict) -> tuple[dict, list[str]]:
    """Validate module args the way the module's own spec would; return (params, errors)."""
    spec, _returns = module_docs(fqcn)
    result = ArgumentSpecValidator(spec).validate(args)
    return result.validated_parameters, [str(e) for e in result.errors.errors]


def documented_returns(fqcn: str) -> set[str]:
    return set(module_docs(fqcn)[1])
