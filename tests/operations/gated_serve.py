"""`python gated_serve.py GATE MODULES <chores-tracker arguments>`: the command line, with the full
app's import held at a gate the test opens.

The first import of `chores_tracker.app` (the background build's), before running the module, writes
the modules the process has loaded to MODULES, then blocks until the test writes a line to the FIFO at GATE. No timing: the
server cannot have built its app before the test lets it.
"""

from __future__ import annotations

import json
import sys
from importlib.abc import Loader, MetaPathFinder
from importlib.machinery import ModuleSpec, PathFinder
from pathlib import Path
from types import ModuleType
from typing import Any


class Gate(MetaPathFinder, Loader):
    """Finds `chores_tracker.app` as usual, and holds its execution (under that module's own import
    lock, not Python's global one: the server's other imports go on)."""

    def __init__(self, fifo: str, modules: str) -> None:
        self.fifo = fifo
        self.modules = modules
        self.loader: Any = None

    def find_spec(self, fullname: str, path: Any, target: Any = None) -> ModuleSpec | None:
        if fullname != "chores_tracker.app":
            return None
        sys.meta_path.remove(self)
        spec = PathFinder.find_spec(fullname, path)
        assert spec is not None and spec.loader is not None
        self.loader, spec.loader = spec.loader, self
        return spec

    def create_module(self, spec: ModuleSpec) -> ModuleType | None:
        return self.loader.create_module(spec)

    def exec_module(self, module: ModuleType) -> None:
        # What was loaded before this module (in sys.modules already, as one being imported).
        written = Path(self.modules + ".part")
        written.write_text(json.dumps(sorted(name for name in sys.modules if name != module.__name__)))
        written.rename(self.modules)
        with open(self.fifo) as gate:  # blocks until the test opens it for writing
            gate.readline()
        self.loader.exec_module(module)


if __name__ == "__main__":
    sys.meta_path.insert(0, Gate(sys.argv[1], sys.argv[2]))
    sys.argv = ["chores-tracker", *sys.argv[3:]]
    from chores_tracker.cli import main

    main()
