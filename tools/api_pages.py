"""Write docs/api/*.md: one reference page per public module, one entry per name of its __all__.

The pages are committed, not generated at build time, so a reviewer sees what
the reference covers and tests/test_docs_site.py can compare them with the
``__all__`` lists. Run ``python tools/api_pages.py`` after adding a public name
(the test names the missing ones).
"""

import importlib
import inspect
from pathlib import Path

# Module -> one line that says what it is for (the page's lead).
MODULES = {
    "mistruct.data": "Tables in: column kinds, encoding, missing values, discretizers.",
    "mistruct.counting": "Contingency tables, joint codes and all-pairs counts.",
    "mistruct.measures": "Entropy, mutual information, conditional MI, PMI and KL, "
    "with `estimator=`.",
    "mistruct.independence": "Conditional independence tests and their registry.",
    "mistruct.structure": "Chow-Liu trees, TAN, PC, ARACNE, DPI checks, metrics and graph files.",
    "mistruct.interop": "pgmpy: the PC plug-in test, Bayesian networks, BIF files.",
    "mistruct.interop.datasets": "Rows sampled from pgmpy's bundled Bayesian networks.",
    "mistruct.clustering": "NMI, AMI and relatives, equal to scikit-learn's.",
    "mistruct.selection": "Feature selection by mutual information criteria.",
    "mistruct.plotting": "Figures: graphs, heatmaps, null distributions.",
    "mistruct.exceptions": "Every exception and warning class of the package.",
}

ROOT = Path(__file__).resolve().parent.parent


def page_name(module: str) -> str:
    return module.removeprefix("mistruct.").replace(".", "-") + ".md"


def write_pages() -> list[Path]:
    written = []
    for module_name, lead in MODULES.items():
        try:
            module = importlib.import_module(module_name)
        except ImportError:  # a package not merged yet
            continue
        lines = [f"# `{module_name}`", "", lead, ""]
        for name in sorted(module.__all__, key=str.lower):
            if inspect.ismodule(getattr(module, name)):
                # A public module has its own page: link it, do not render it twice.
                target = page_name(f"{module_name}.{name}")
                lines += [f"- [`{module_name}.{name}`]({target}): a module, on its own page.", ""]
            else:
                lines += [f"::: {module_name}.{name}", ""]
        path = ROOT / "docs" / "api" / page_name(module_name)
        path.write_text("\n".join(lines), encoding="utf-8")
        written.append(path)
    written.append(write_index())
    return written


def home_of(value) -> str:
    """The public module whose page documents ``value`` (where its __all__ lists it)."""
    for module_name in MODULES:
        try:
            module = importlib.import_module(module_name)
        except ImportError:
            continue
        for name in module.__all__:
            if getattr(module, name) is value:
                return f"{module_name}.{name}"
    raise LookupError(f"no reference page lists {value!r}")


def write_index() -> Path:
    import mistruct

    lines = [
        "# API reference",
        "",
        "`import mistruct` gives the names below; each links to its entry on the page of",
        "the subpackage it comes from. Everything else public lives in a subpackage:",
        "",
    ]
    for module_name, lead in MODULES.items():
        lines.append(f"- [`{module_name}`]({page_name(module_name)}): {lead}")
    lines += ["", "## `mistruct`", "", "| name | documented as |", "| --- | --- |"]
    for name in sorted(mistruct.__all__, key=str.lower):
        target = home_of(getattr(mistruct, name))
        if inspect.ismodule(getattr(mistruct, name)):
            link = f"[`{target}`]({page_name(target)})"
        else:
            link = f"[`{target}`][{target}]"
        lines.append(f"| `mistruct.{name}` | {link} |")
    path = ROOT / "docs" / "api" / "index.md"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


if __name__ == "__main__":
    for path in write_pages():
        print(path.relative_to(ROOT))
