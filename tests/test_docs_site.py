"""The documentation site covers the public API, and its sources are consistent.

* every name in ``mistruct.__all__`` and in each public module's ``__all__`` has
  an entry in the API reference (``::: module.name`` directives in
  docs/api/*.md, written by tools/api_pages.py);
* every page the navigation names exists;
* the built site (``MISTRUCT_SITE_DIR``, set by .ci/run after ``mkdocs build
  --strict``; otherwise built here when mkdocs is installed) shows the home page,
  a guide, every example with its output and figures, and reference entries.
"""

import importlib
import inspect
import os
import pkgutil
import re
import subprocess
import sys
from html import unescape
from pathlib import Path

import pytest

import mistruct

ROOT = Path(__file__).resolve().parent.parent
API = ROOT / "docs" / "api"
DIRECTIVE = re.compile(r"^::: (mistruct(?:\.\w+)+)\s*$", re.M)
MODULE_LINK = re.compile(r"\[`(mistruct(?:\.\w+)+)`\]\(([\w-]+\.md)\)")


def public_modules():
    """mistruct's public modules that declare ``__all__`` (the cli has none: it is a command)."""
    found = []
    for info in pkgutil.walk_packages(mistruct.__path__, "mistruct."):
        if any(part.startswith("_") for part in info.name.split(".")):
            continue
        module = importlib.import_module(info.name)
        if hasattr(module, "__all__"):
            found.append(module)
    return found


def documented():
    """identifier -> object, for every ``:::`` directive of the reference pages."""
    entries = {}
    for page in sorted(API.glob("*.md")):
        for identifier in DIRECTIVE.findall(page.read_text(encoding="utf-8")):
            module_name, _, name = identifier.rpartition(".")
            entries[identifier] = getattr(importlib.import_module(module_name), name)
    return entries


def module_pages():
    """Module names that have a reference page of their own (its title)."""
    titles = {}
    for page in API.glob("*.md"):
        first = page.read_text(encoding="utf-8").splitlines()[0]
        match = re.fullmatch(r"# `(mistruct(?:\.\w+)+)`", first)
        if match:
            titles[match.group(1)] = page.name
    return titles


def test_every_public_module_has_a_reference_page():
    pages = module_pages()
    missing = [module.__name__ for module in public_modules()
               if module.__name__ != "mistruct" and module.__name__ not in pages]
    assert not missing, f"no docs/api page for {missing}: run python tools/api_pages.py"


def test_every_subpackage_name_has_a_reference_entry():
    entries = documented()
    pages = module_pages()
    missing = []
    for module in public_modules():
        if module.__name__ == "mistruct":
            continue
        for name in module.__all__:
            value = getattr(module, name)
            identifier = f"{module.__name__}.{name}"
            if inspect.ismodule(value):
                if value.__name__ not in pages:
                    missing.append(identifier)
            elif identifier not in entries:
                missing.append(identifier)
    assert not missing, f"not in docs/api/*.md: {missing}; run python tools/api_pages.py"


def test_every_top_level_name_is_documented_where_it_comes_from():
    # mistruct.ci_test is mistruct.independence.ci_test: one entry, the same object.
    entries = documented()
    pages = module_pages()
    objects = {id(value) for value in entries.values()}
    missing = []
    for name in mistruct.__all__:
        value = getattr(mistruct, name)
        if inspect.ismodule(value):
            if value.__name__ not in pages:
                missing.append(name)
        elif id(value) not in objects:
            missing.append(name)
    assert not missing, f"mistruct.{missing} have no reference entry"
    index = (API / "index.md").read_text(encoding="utf-8")
    unlisted = [name for name in mistruct.__all__ if f"`mistruct.{name}`" not in index]
    assert not unlisted, f"docs/api/index.md does not list {unlisted}"


def test_top_level_functions_and_classes_name_their_relatives():
    # The reference turns "See Also" entries into links (tools/docs_griffe.py).
    lacking = [
        name for name in mistruct.__all__
        if not inspect.ismodule(value := getattr(mistruct, name))
        and not (inspect.isclass(value) and issubclass(value, Exception | Warning))
        and "See Also" not in (inspect.getdoc(value) or "")
    ]
    assert not lacking, f"no See Also section in the docstrings of {lacking}"


def test_reference_entries_are_public_names():
    # A directive for a name that left __all__ would document a private detail.
    stale = []
    for identifier in documented():
        module_name, _, name = identifier.rpartition(".")
        if name not in importlib.import_module(module_name).__all__:
            stale.append(identifier)
    assert not stale, f"docs/api entries not in their module's __all__: {stale}"


def test_api_pages_are_what_the_generator_writes(tmp_path, monkeypatch):
    sys.path.insert(0, str(ROOT / "tools"))
    try:
        api_pages = importlib.import_module("api_pages")
    finally:
        sys.path.remove(str(ROOT / "tools"))
    before = {page.name: page.read_text(encoding="utf-8") for page in API.glob("*.md")}
    monkeypatch.setattr(api_pages, "ROOT", tmp_path)
    (tmp_path / "docs" / "api").mkdir(parents=True)
    api_pages.write_pages()
    after = {page.name: page.read_text(encoding="utf-8")
             for page in (tmp_path / "docs" / "api").glob("*.md")}
    assert after == before, "docs/api/*.md are stale: run python tools/api_pages.py"


def nav_pages(nav):
    for entry in nav:
        if isinstance(entry, str):
            yield entry
        elif isinstance(entry, dict):
            for value in entry.values():
                yield from (nav_pages(value) if isinstance(value, list) else [value])


def test_navigation_names_existing_pages():
    text = (ROOT / "mkdocs.yml").read_text(encoding="utf-8")
    pages = re.findall(r"^\s*-\s+(?:[^:\n]+:\s+)?([\w/.-]+\.md)\s*$", text, re.M)
    generated = {"index.md", "changelog.md", "examples/index.md"}
    missing = [page for page in pages
               if page not in generated and not (ROOT / "docs" / page).is_file()]
    assert pages and not missing, f"mkdocs.yml names missing pages: {missing}"
    for guide in ("benchmarks.md", "contributing.md", "information.md", "independence.md"):
        assert guide in pages


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    given = os.environ.get("MISTRUCT_SITE_DIR")
    if given:
        return Path(given)
    pytest.importorskip("mkdocs", reason="docs extra not installed: pip install -e '.[docs]'")
    pytest.importorskip("mkdocstrings")
    folder = tmp_path_factory.mktemp("site")
    done = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "--site-dir", str(folder)],
        cwd=ROOT, capture_output=True, text=True, check=False,
    )
    assert done.returncode == 0, done.stderr[-5000:]
    return folder


def read(site, page):
    # use_directory_urls is off: page.md -> page.html, so the site opens from file:// too.
    return (site / f"{page or 'index'}.html").read_text("utf-8")


def text(html):
    """The visible text of a page (highlighted code is split into spans)."""
    return unescape(re.sub(r"<[^>]+>", "", html))


def test_built_home_is_the_readme(site):
    home = read(site, "")
    assert "Quick start" in home and "mistruct learn --example alarm" in text(home)
    assert 'href="information.html"' in home  # README's docs/ links rewritten for the site


def test_built_guide_and_changelog(site):
    guide = read(site, "independence")
    assert "Conditional independence tests" in guide and "n_informative_strata" in guide
    assert "0.2.0" in read(site, "changelog")
    assert "Benchmarks" in read(site, "benchmarks") or "benchmark" in read(site, "benchmarks")


def test_built_examples_show_output_and_figures(site):
    scripts = sorted((ROOT / "examples").glob("*.py"))
    for script in scripts:
        page = read(site, f"examples/{script.stem}")
        assert "Output" in page and "Source" in page, script.name
        for image in re.findall(r'<img alt="[^"]*" src="([^"]+)"', page):
            assert (site / "examples" / image).stat().st_size > 1000, image
    admissions = read(site, "examples/ci_test_admissions")
    assert "4526 applicants" in text(admissions) and "admissions_null.png" in admissions


def test_built_reference_renders_docstrings(site):
    page = read(site, "api/independence")
    assert 'id="mistruct.independence.ci_test"' in page
    assert "Parameters" in page and "n_permutations" in page
    # "See Also" entries are links to the related entries (tools/docs_griffe.py).
    see_also = re.findall(r'<details class="see-also".*?</details>', page, re.S)
    assert any('href="#mistruct.independence.ci_tests"' in block for block in see_also)
    assert any('href="measures.html#mistruct.measures.mutual_information"' in block
               for block in see_also)
    index = read(site, "api/index")
    assert 'href="independence.html#mistruct.independence.ci_test"' in index


def _documented_parameters(doc: str) -> set:
    """Names in the numpydoc "Parameters" section of ``doc`` (entry lines are not indented)."""
    lines = doc.splitlines()
    names = set()
    for start in range(len(lines) - 1):
        if lines[start].strip() == "Parameters" and set(lines[start + 1].strip()) == {"-"}:
            break
    else:
        return names
    for i in range(start + 2, len(lines)):
        line = lines[i]
        following = lines[i + 1].strip() if i + 1 < len(lines) else ""
        if following and set(following) == {"-"} and not line.startswith(" "):
            break  # the next section's header
        if not line.strip() or line.startswith((" ", "\t")):
            continue
        for name in line.split(" :")[0].split(","):
            names.add(name.strip().lstrip("*"))
    return names


def test_public_functions_document_every_parameter():
    modules = [mistruct] + [
        importlib.import_module(f"mistruct.{name}")
        for name in ("data", "counting", "measures", "independence", "structure", "selection",
                     "interop", "clustering")
    ]
    undocumented = []
    for module in modules:
        for name in module.__all__:
            obj = getattr(module, name)
            if not inspect.isfunction(obj):
                continue  # classes document their dataclass fields under Attributes
            documented = _documented_parameters(inspect.getdoc(obj) or "")
            missing = [p for p in inspect.signature(obj).parameters if p not in documented]
            if missing:
                undocumented.append(f"{module.__name__}.{name}: {missing}")
    assert not undocumented, "\n".join(undocumented)
