"""Griffe extensions for the API reference.

* ``LazyPublicClasses``: ``mistruct.selection.MutualInfoSelector`` is created on
  first access (it subclasses scikit-learn's classes, which mistruct imports only
  then), so griffe's static reading of the package does not see it; this reads
  the class's source and adds it to the package's model.
* ``SeeAlsoLinks``: numpydoc "See Also" entries (``name : description``) become a
  list of links to the names' reference entries (in the site only: the
  docstrings that ``help()`` shows are not touched).
"""

import ast
import importlib
import inspect
import re
import textwrap
from pathlib import Path

import griffe

# Public names built on first access by a module __getattr__.
LAZY = {"mistruct.selection": ["MutualInfoSelector"]}


class LazyPublicClasses(griffe.Extension):
    def on_package(self, *, pkg, **kwargs):
        if pkg.name != "mistruct":
            return
        for module_name, names in LAZY.items():
            try:
                live = importlib.import_module(module_name)
            except ImportError:
                continue
            model = pkg[module_name.removeprefix("mistruct.")]
            for name in names:
                if name not in live.__all__:
                    continue
                # __module__ is set to the package, so find the file through a method.
                path = Path(inspect.getsourcefile(getattr(live, name).__init__))
                visited = griffe.visit(
                    module_name, path, _class_source(path, name),
                    docstring_parser=griffe.Parser.numpy,
                )
                model.set_member(name, visited[name])


def _class_source(path: Path, name: str) -> str:
    """The dedented source of the class ``name`` defined anywhere in ``path`` (nested too)."""
    text = path.read_text(encoding="utf-8")
    for node in ast.walk(ast.parse(text)):
        if isinstance(node, ast.ClassDef) and node.name == name:
            return textwrap.dedent(ast.get_source_segment(text, node, padded=True))
    raise LookupError(f"no class {name} in {path}")


API_PAGES = Path(__file__).resolve().parent.parent / "docs" / "api"
SEE_ALSO = re.compile(
    r"^(?P<indent>[ \t]*)See Also\n(?P=indent)-{4,}\n(?P<body>.*?)"
    r"(?=\n[ \t]*\n[ \t]*\w[\w ]*\n[ \t]*-{4,}\n|\Z)",  # up to the next section or the end
    re.S | re.M,
)
ENTRY = re.compile(r"^(?P<names>[\w.]+(?:\s*,\s*[\w.]+)*)\s*(?::\s*(?P<text>.*))?$")


def reference_entries() -> dict[str, str]:
    """Short name -> identifier of its reference entry (the first page that lists it)."""
    found: dict[str, str] = {}
    for page in sorted(API_PAGES.glob("*.md")):
        for identifier in re.findall(r"^::: (\S+)$", page.read_text(encoding="utf-8"), re.M):
            found.setdefault(identifier.rpartition(".")[2], identifier)
    return found


class SeeAlsoLinks(griffe.Extension):
    def __init__(self):
        super().__init__()
        self.entries = reference_entries()

    def on_package(self, *, pkg, **kwargs):
        if pkg.name == "mistruct":
            self._visit(pkg)

    def _visit(self, obj):
        for member in list(obj.members.values()):
            if member.is_alias:
                continue
            if member.docstring is not None:
                member.docstring.value = SEE_ALSO.sub(self._links, member.docstring.value)
            if member.is_module or member.is_class:
                self._visit(member)

    def _link(self, name: str) -> str:
        identifier = self.entries.get(name.rpartition(".")[2])
        return f"[`{name}`][{identifier}]" if identifier else f"`{name}`"

    def _links(self, match) -> str:
        items, current = [], None
        for line in textwrap.dedent(match.group("body")).splitlines():
            entry = ENTRY.match(line) if line and not line[0].isspace() else None
            if entry:
                names = [name.strip() for name in entry.group("names").split(",")]
                current = [", ".join(self._link(name) for name in names), entry.group("text") or ""]
                items.append(current)
            elif current is not None and line.strip():
                current[1] = f"{current[1]} {line.strip()}".strip()
        if not items:
            return match.group(0)
        indent = match.group("indent")
        lines = [f"{indent}- {names}" + (f": {text}" if text else "") for names, text in items]
        return f"{indent}See Also\n{indent}--------\n" + "\n".join(lines)
