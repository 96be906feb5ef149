"""Change a Brian 2 script's import lines, and nothing else, so that it runs on snncore.

``from brian2 import *`` becomes ``from snncore import *``, ``import brian2 as b2``
becomes ``import snncore as b2``, a bare ``import brian2`` becomes
``import snncore as brian2`` (so ``brian2.ms`` still means what it meant), and
``from brian2.units import ms`` becomes ``from snncore.units import ms`` when snncore
has that module and ``from snncore import ms`` otherwise. Every other line is kept
byte for byte.
"""

from __future__ import annotations

import ast
import importlib.util
import re

_MODULE = re.compile(r"\bbrian2((?:\.\w+)*)")


def _snncore_module(dotted: str) -> str:
    """``brian2.x.y`` -> ``snncore.x.y`` if snncore has it, else ``snncore``."""
    name = "snncore" + dotted
    try:
        found = importlib.util.find_spec(name) is not None
    except ModuleNotFoundError:
        found = False
    return name if found else "snncore"


def _rewrite_line(line: str, bare_import: bool) -> str:
    if bare_import:
        # `import brian2` / `import brian2, numpy` (not `import brian2 as b2`)
        return re.sub(r"\bbrian2\b(?!\s+as\b)(?!\.)", "snncore as brian2", line, count=1)
    return _MODULE.sub(lambda m: _snncore_module(m.group(1)), line, count=1)


def rewrite(source: str) -> str:
    """The script with its ``brian2`` import statements pointed at snncore."""
    lines = source.splitlines(keepends=True)
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.ImportFrom) and node.module and \
                node.module.split(".")[0] == "brian2" and node.level == 0:
            lines[node.lineno - 1] = _rewrite_line(lines[node.lineno - 1], False)
        elif isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name.split(".")[0] == "brian2":
                    line = lines[node.lineno - 1]
                    bare = alias.name == "brian2" and alias.asname is None
                    lines[node.lineno - 1] = _rewrite_line(line, bare)
    return "".join(lines)
