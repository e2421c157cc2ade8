"""The contract of the public API and of the package layout (issue 13).

These tests read the package's source (ASTs) and its public namespaces; they
check the rules of the house stated in docs/extending.md:

* no import of a mistruct module inside a function or method;
* no import circle among mistruct's modules;
* across subpackages, imports go through the package, never its private
  modules or underscore names;
* imports go down the layers only;
* one name per idea in public signatures (no banned aliases, no ``**kwargs``);
* a curated, sorted top level and resolvable ``__all__`` everywhere;
* every learner is importable from :mod:`mistruct.structure` as a function.

Each test lists every offender in its failure message.
"""

import ast
import importlib
import inspect
import re
import types
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

# Found from this file, not by importing mistruct: the source checks run even
# while a half-edited module makes the package fail to import.
PACKAGE_ROOT = Path(__file__).resolve().parent.parent / "mistruct"

#: Subpackages whose ``__all__`` is part of the public API.
PUBLIC_SUBPACKAGES = (
    "mistruct.data",
    "mistruct.counting",
    "mistruct.measures",
    "mistruct.independence",
    "mistruct.structure",
    "mistruct.selection",
    "mistruct.interop",
    "mistruct.clustering",
)

#: Top-level private modules every layer may use (what they hold is shared).
SHARED_MODULES = {"mistruct.exceptions", "mistruct._validation", "mistruct._io"}

#: Layer of each first-level name under mistruct (imports only go down).
#: ``None`` marks the top: the CLI, plotting, ``__main__`` and the package
#: root itself may import anything.
LAYERS = {
    "exceptions": 0,
    "_validation": 0,
    "_io": 0,
    "data": 1,
    "counting": 2,
    "measures": 3,
    "independence": 4,
    "structure": 5,
    "selection": 6,
    "interop": 7,
    "clustering": 8,
    "cli": None,
    "plotting": None,
    "__main__": None,
    "": None,  # the package root, mistruct/__init__.py
}

#: clustering sits beside interop but needs only the bottom of the stack.
CLUSTERING_MAY_IMPORT = {"exceptions", "_validation", "_io", "data", "counting", "clustering"}

BANNED_PARAMETERS = {
    "z",
    "test",
    "knn_permutations",
    "k_perm",
    "random_state",
    "significance_level",
    "workers",
}

#: The only public callables with a parameter named ``method`` (rule 5 of
#: issue 13). ``CITestResult`` is a SciPy-style result object whose ``method``
#: field reports which test ran (docs/DESIGN section 3); users read it, they
#: do not pass it.
METHOD_ALLOWED = {"ci_test", "ci_tests", "ci_test_from_table", "adjust_pvalues", "CITestResult"}

#: Learners that ``mistruct.structure`` must export as functions.
LEARNERS = (
    "aracne",
    "chow_liu_forest",
    "chow_liu_tree",
    "dpi_check",
    "learn_skeleton",
    "markov_chain_check",
    "pc",
    "pc_skeleton",
    "tan",
)

#: Public modules exported as attributes on purpose.
PUBLIC_MODULE_ATTRIBUTES = {("mistruct", "datasets"), ("mistruct.interop", "datasets")}


# ---------------------------------------------------------------- the sources


def _module_name(path):
    parts = list(path.relative_to(PACKAGE_ROOT.parent).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _sources():
    modules = {}
    for path in sorted(PACKAGE_ROOT.rglob("*.py")):
        if "__pycache__" in path.parts:
            continue
        modules[_module_name(path)] = path
    return modules


MODULES = _sources()
TREES = {
    name: ast.parse(path.read_text(encoding="utf-8"), str(path)) for name, path in MODULES.items()
}


def _is_package(name):
    return MODULES[name].name == "__init__.py" if name in MODULES else False


def _package_of(name):
    """The package a module's relative imports start from."""
    return name if _is_package(name) else name.rpartition(".")[0]


def _is_type_checking(node):
    test = node.test
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def _imports(name):
    """Every mistruct import of a module: (node, targets, names, in_function).

    ``targets`` are the mistruct modules the statement loads (``from
    mistruct.x import y`` loads ``mistruct.x.y`` when ``y`` is a submodule,
    else ``mistruct.x``); ``names`` are the imported names (for ``from``
    imports).  Imports under ``if TYPE_CHECKING:`` never run and are left out.
    """
    found = []

    def visit(node, in_function):
        if isinstance(node, ast.If) and _is_type_checking(node):
            for child in node.orelse:
                visit(child, in_function)
            return
        if isinstance(node, ast.Import):
            targets = [a.name for a in node.names if a.name.split(".")[0] == "mistruct"]
            if targets:
                found.append((node, targets, [], in_function))
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = _package_of(name).split(".")
                if node.level > 1:
                    base = base[: len(base) - (node.level - 1)]
                source = ".".join(base + ([node.module] if node.module else []))
            else:
                source = node.module or ""
            if source.split(".")[0] == "mistruct":
                targets = []
                for alias in node.names:
                    candidate = f"{source}.{alias.name}"
                    targets.append(candidate if candidate in MODULES else source)
                found.append(
                    (node, sorted(set(targets)), [a.name for a in node.names], in_function)
                )
        inner = in_function or isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda)
        for child in ast.iter_child_nodes(node):
            visit(child, inner)

    visit(TREES[name], False)
    return found


IMPORTS = {name: _imports(name) for name in MODULES}


def _where(name, node):
    path = MODULES[name].relative_to(PACKAGE_ROOT.parent)
    return f"{path}:{node.lineno}: {ast.unparse(node)}"


def _first_level(module):
    """``data`` for ``mistruct.data._table``; ``""`` for the root."""
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else ""


# ------------------------------------------------------------------ the tests


def test_sources_found():
    # Guards the other tests against walking nothing.
    assert "mistruct.structure" in MODULES and "mistruct.data" in MODULES
    assert len(MODULES) > 20


def test_no_mistruct_import_inside_functions():
    offenders = [
        _where(name, node)
        for name in MODULES
        for node, _targets, _names, in_function in IMPORTS[name]
        if in_function
    ]
    assert not offenders, (
        "mistruct imports inside a function or method (hoist them to the top of the module):\n"
        + "\n".join(offenders)
    )


def _import_graph():
    graph = {name: set() for name in MODULES}
    for name in MODULES:
        for _node, targets, _names, in_function in IMPORTS[name]:
            if in_function:
                continue
            for target in targets:
                if target in MODULES and target != name:
                    graph[name].add(target)
    return graph


def _cycles(graph):
    """Elementary cycles, each reported once from its smallest module name."""
    cycles = []
    for start in sorted(graph):
        # Only cycles whose smallest node is ``start``: no duplicates.
        stack = [(start, [start])]
        while stack:
            node, path = stack.pop()
            for succ in sorted(graph[node]):
                if succ == start:
                    cycles.append(path + [start])
                elif succ > start and succ not in path:
                    stack.append((succ, path + [succ]))
        if len(cycles) > 200:
            break
    return cycles


def test_cycle_finder_finds_cycles():
    graph = {"a": {"b"}, "b": {"c"}, "c": {"a", "d"}, "d": set(), "e": {"e"}}
    assert _cycles({k: v - {k} for k, v in graph.items()}) == [["a", "b", "c", "a"]]
    assert _cycles({"a": {"b"}, "b": set()}) == []


def test_no_import_cycles():
    cycles = _cycles(_import_graph())
    assert not cycles, "import cycles among mistruct modules (top-level imports):\n" + "\n".join(
        " -> ".join(cycle) for cycle in cycles
    )


def test_relative_and_submodule_imports_resolved():
    # The graph must see both spellings of an import; a resolver that dropped
    # them would make the cycle test pass vacuously.
    graph = _import_graph()
    assert "mistruct.data._table" in graph["mistruct.data"]
    assert "mistruct.interop.datasets" in graph["mistruct.interop"]


def test_no_private_imports_across_subpackages():
    offenders = []
    for name in MODULES:
        own = _first_level(name) if _is_package(name) or name.count(".") >= 2 else None
        for node, targets, names, _in_function in IMPORTS[name]:
            for target in targets:
                if target in SHARED_MODULES or _first_level(target) == own:
                    continue
                private = [p for p in target.split(".")[1:] if p.startswith("_")]
                if private and not all(p.startswith("__") for p in private):
                    offenders.append(f"{_where(name, node)}   (private module {target})")
                    break
            else:
                if targets and all(t in SHARED_MODULES for t in targets):
                    continue
                source_level = {_first_level(t) for t in targets}
                if source_level == {own}:
                    continue
                underscored = [
                    n for n in names if n.startswith("_") and not (n[:2] == n[-2:] == "__")
                ]
                if underscored:
                    offenders.append(f"{_where(name, node)}   (private names {underscored})")
    assert not offenders, (
        "imports of another subpackage's private module or underscore name "
        "(import from the package itself, e.g. `from mistruct.data import encode`):\n"
        + "\n".join(offenders)
    )


def _layer_allows(importer, target):
    low, high = _first_level(importer), _first_level(target)
    if low not in LAYERS:
        return False, f"module {importer} is in no layer (add it to LAYERS)"
    if high not in LAYERS:
        return False, f"{target} is in no layer (add it to LAYERS)"
    if LAYERS[low] is None or low == high:
        return True, ""
    if low == "clustering":
        return high in CLUSTERING_MAY_IMPORT, "clustering imports only data/counting/exceptions"
    if LAYERS[high] is None:
        return False, f"{high or 'the package root'} is at the top"
    return LAYERS[high] <= LAYERS[low], f"layer {low} ({LAYERS[low]}) < {high} ({LAYERS[high]})"


def test_imports_go_down_the_layers():
    offenders = []
    for name in MODULES:
        for node, targets, _names, _in_function in IMPORTS[name]:
            for target in targets:
                ok, why = _layer_allows(name, target)
                if not ok:
                    offenders.append(f"{_where(name, node)}   ({why})")
    assert not offenders, (
        "imports going up the layers (exceptions/_validation/_io < data < counting < measures "
        "< independence < structure < interop; clustering uses data/counting only; cli and "
        "plotting on top):\n" + "\n".join(offenders)
    )


# --------------------------------------------------------- public namespaces


def _public_objects():
    """(namespace, name, object) of everything in the public ``__all__`` lists."""
    out = []
    for namespace in ("mistruct", *PUBLIC_SUBPACKAGES):
        module = importlib.import_module(namespace)
        for name in getattr(module, "__all__", []):
            if hasattr(module, name):
                out.append((namespace, name, getattr(module, name)))
    return out


def _signature_of(obj):
    """The signature a user calls, or None (modules, constants, inherited inits)."""
    if isinstance(obj, types.ModuleType):
        return None
    if inspect.isclass(obj):
        owner = next((c for c in obj.__mro__ if "__init__" in c.__dict__), object)
        if not owner.__module__.startswith("mistruct"):
            return None  # e.g. an exception class using Exception.__init__
        return inspect.signature(owner.__dict__["__init__"])
    if callable(obj):
        try:
            return inspect.signature(obj)
        except (TypeError, ValueError):
            return None
    return None


def test_public_signatures_use_one_name_per_idea():
    offenders = []
    for namespace, name, obj in _public_objects():
        signature = _signature_of(obj)
        if signature is None:
            continue
        for parameter in signature.parameters.values():
            where = f"{namespace}.{name}({parameter.name})"
            if parameter.name in BANNED_PARAMETERS:
                offenders.append(f"{where}: banned alias {parameter.name!r}")
            if parameter.kind is inspect.Parameter.VAR_KEYWORD:
                offenders.append(f"{where}: **{parameter.name} hides parameters")
            if parameter.name == "method" and name not in METHOD_ALLOWED:
                offenders.append(
                    f"{where}: 'method' only in {sorted(METHOD_ALLOWED)} "
                    "(ci_test= in learners, algorithm= in learn_skeleton)"
                )
    assert not offenders, "public signatures breaking the naming rules:\n" + "\n".join(
        sorted(set(offenders))
    )


def _isort_key(name):
    """Ruff's isort-style order: CONSTANTS, then Classes, then the rest, naturally."""
    stripped = name.lstrip("_")
    if len(stripped) > 1 and stripped.upper() == stripped and any(c.isalpha() for c in stripped):
        group = 0
    elif stripped[:1].isupper():
        group = 1
    else:
        group = 2
    natural = [int(part) if part.isdigit() else part for part in re.split(r"(\d+)", name)]
    return group, natural


def _sorted_either_way(names):
    return list(names) in (sorted(names), sorted(names, key=_isort_key))


def _first_unsorted(names):
    expected = sorted(names, key=_isort_key)
    at = next(i for i, (a, b) in enumerate(zip(names, expected, strict=True)) if a != b)
    return f"position {at}: {names[at]!r} where {expected[at]!r} belongs (sorted: {expected})"


def _unresolved(module):
    return [name for name in module.__all__ if not hasattr(module, name)]


def test_top_level_is_curated_and_sorted():
    mistruct = importlib.import_module("mistruct")
    names = list(mistruct.__all__)
    problems = []
    # About 45 curated names: the learners, measures, tests and scores a user reaches for first.
    if len(names) > 48:
        problems.append(f"{len(names)} names in mistruct.__all__ (at most 48)")
    if not _sorted_either_way(names):
        problems.append(f"mistruct.__all__ is not sorted: {_first_unsorted(names)}")
    if len(set(names)) != len(names):
        problems.append(f"duplicates: {sorted({n for n in names if names.count(n) > 1})}")
    if _unresolved(mistruct):
        problems.append(f"names in __all__ that do not exist: {_unresolved(mistruct)}")
    assert not problems, "\n".join(problems)


#: Counting kernels, estimator internals and the per-estimator functions of
#: 0.1 (now ``estimator=``): reachable from their subpackages, not top level.
NOT_TOP_LEVEL = (
    "ESTIMATORS",
    "entropy_from_counts",
    "gaussian_mutual_information",
    "gaussian_mutual_information_matrix",
    "joint_codes",
    "knn_entropy",
    "knn_mutual_information_matrix",
    "ksg_conditional_mutual_information",
    "ksg_mutual_information",
    "mixed_mutual_information",
    "mutual_information_auto",
    "pairwise_counts",
)


def test_top_level_holds_no_internals():
    mistruct = importlib.import_module("mistruct")
    offenders = [name for name in NOT_TOP_LEVEL if hasattr(mistruct, name)]
    assert not offenders, (
        "internals or per-estimator functions at the top level (reach them from their "
        f"subpackage, or use estimator=): {offenders}"
    )


@pytest.mark.parametrize("namespace", PUBLIC_SUBPACKAGES)
def test_subpackage_all_is_sorted_and_resolvable(namespace):
    module = importlib.import_module(namespace)
    assert hasattr(module, "__all__"), f"{namespace} has no __all__"
    names = list(module.__all__)
    problems = []
    if not _sorted_either_way(names):
        problems.append(f"{namespace}.__all__ is not sorted: {_first_unsorted(names)}")
    if _unresolved(module):
        problems.append(f"names in {namespace}.__all__ that do not exist: {_unresolved(module)}")
    shadowed = [
        name
        for name in names
        if isinstance(getattr(module, name, None), types.ModuleType)
        and (namespace, name) not in PUBLIC_MODULE_ATTRIBUTES
    ]
    if shadowed:
        problems.append(f"names in {namespace}.__all__ that are modules, not functions: {shadowed}")
    assert not problems, "\n".join(problems)


def test_learners_import_as_functions():
    import mistruct.structure as structure

    offenders = []
    for name in LEARNERS:
        if name not in structure.__all__:
            offenders.append(f"{name}: not in mistruct.structure.__all__")
            continue
        namespace = {}
        exec(f"from mistruct.structure import {name}", namespace)
        obj = namespace[name]
        if isinstance(obj, types.ModuleType) or not callable(obj):
            offenders.append(f"from mistruct.structure import {name} gives {obj!r}")
    for name in structure.__all__:
        if isinstance(getattr(structure, name), types.ModuleType):
            offenders.append(f"mistruct.structure.{name} is a module")
    assert not offenders, "learners that do not import as functions:\n" + "\n".join(offenders)


@pytest.fixture(scope="module")
def small_table():
    rng = np.random.default_rng(13)
    a = rng.integers(0, 2, 300)
    b = (a ^ (rng.random(300) < 0.1)).astype(int)
    c = (b ^ (rng.random(300) < 0.1)).astype(int)
    return pd.DataFrame({"a": a, "b": b, "c": c}).astype("category")


@pytest.mark.parametrize(
    "name", ["pc", "pc_skeleton", "chow_liu_tree", "chow_liu_forest", "aracne", "learn_skeleton"]
)
def test_learner_runs_from_structure(name, small_table):
    # The reproducer: `from mistruct.structure import pc; pc(df)`.
    namespace = {}
    exec(f"from mistruct.structure import {name}", namespace)
    graph = namespace[name](small_table)
    assert set(graph.nodes) == {"a", "b", "c"}
    # a - b - c is a chain: every learner keeps a-b and b-c.
    skeleton = {frozenset(edge) for edge in graph.edges}
    assert {frozenset("ab"), frozenset("bc")} <= skeleton


def test_tests_mirror_the_package_layout():
    """Every subpackage of mistruct has its tests in tests/<subpackage>/ (the issue's layout)."""
    tests_root = Path(__file__).resolve().parent
    subpackages = sorted(
        p.name for p in PACKAGE_ROOT.iterdir() if p.is_dir() and (p / "__init__.py").exists()
    )
    missing = [name for name in subpackages if not list((tests_root / name).glob("test_*.py"))]
    assert not missing, f"subpackages without tests/<name>/test_*.py: {missing}"
    # Test modules are found by basename (no __init__.py): two with one name would clash.
    names = [p.name for p in tests_root.rglob("test_*.py")]
    duplicates = sorted({n for n in names if names.count(n) > 1})
    assert not duplicates, f"test modules sharing a basename: {duplicates}"
