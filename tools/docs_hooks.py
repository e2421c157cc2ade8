"""MkDocs hooks: the pages that come from files outside docs/.

* ``index.md``: README.md, its links rewritten for the site;
* ``changelog.md``: CHANGELOG.md;
* ``examples/<name>.md``: each script of examples/, run at build time with
  ``MISTRUCT_EXAMPLE_SMALL=1`` in a temporary folder: its docstring, source,
  printed output and figures. A script that fails fails the build.

Generated at build time rather than committed so that the site never shows an
example's output from an older version of the code.
"""

import ast
import os
import re
import subprocess
import sys
import tempfile
from pathlib import Path

from mkdocs.structure.files import File

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "examples"
TIMEOUT_S = 300


def _site_links(markdown: str) -> str:
    """Rewrite README's repository-relative links for pages that live at the site root."""
    markdown = re.sub(r"\]\(docs/", "](", markdown)
    markdown = markdown.replace("](examples)", "](examples/index.md)")
    return markdown.replace("](CHANGELOG.md)", "](changelog.md)")


def _run_example(script: Path, folder: Path) -> str:
    env = dict(os.environ, MISTRUCT_EXAMPLE_SMALL="1", MPLBACKEND="Agg",
               PYTHONWARNINGS="ignore::FutureWarning")
    done = subprocess.run(
        [sys.executable, str(script), str(folder)], cwd=folder, env=env,
        capture_output=True, text=True, timeout=TIMEOUT_S, check=False,
    )
    if done.returncode != 0:
        raise RuntimeError(f"examples/{script.name} failed:\n{done.stdout}\n{done.stderr}")
    return done.stdout.replace(str(folder) + os.sep, "")


def example_page(script: Path, folder: Path) -> tuple[str, list[Path]]:
    """The Markdown page of one example, and the figures it wrote into ``folder``."""
    source = script.read_text(encoding="utf-8")
    docstring = ast.get_docstring(ast.parse(source)) or script.stem
    title, _, body = docstring.partition("\n")
    output = _run_example(script, folder)
    figures = sorted(folder.glob("*.png"))
    lines = [f"# {title.strip()}", "", body.strip(), "",
             f"Source: `examples/{script.name}`", "", "## Output", "", "```text",
             output.rstrip(), "```", ""]
    for figure in figures:
        lines += [f"![{figure.stem}]({script.stem}-{figure.name})", ""]
    lines += ["## Source", "", "```python", source.rstrip(), "```", ""]
    return "\n".join(lines), figures


def on_config(config):
    """List every script of examples/ under the nav's "Examples" section."""
    pages = ["examples/index.md"] + [
        f"examples/{script.stem}.md" for script in sorted(EXAMPLES.glob("*.py"))]
    for entry in config.nav or []:
        if isinstance(entry, dict) and "Examples" in entry:
            entry["Examples"] = pages
    return config


def on_files(files, config):
    files.append(File.generated(config, "index.md", content=_site_links(
        (ROOT / "README.md").read_text(encoding="utf-8"))))
    files.append(File.generated(config, "changelog.md", content=_site_links(
        (ROOT / "CHANGELOG.md").read_text(encoding="utf-8"))))
    index = ["# Examples", "",
             "Each script answers one question with bundled data; run it with",
             "`python examples/<name>.py [OUTPUT_DIR]`. The outputs below were produced",
             "when this site was built, with `MISTRUCT_EXAMPLE_SMALL=1`.", ""]
    for script in sorted(EXAMPLES.glob("*.py")):
        with tempfile.TemporaryDirectory() as tmp:
            page, figures = example_page(script, Path(tmp))
            files.append(File.generated(config, f"examples/{script.stem}.md", content=page))
            for figure in figures:
                files.append(File.generated(
                    config, f"examples/{script.stem}-{figure.name}",
                    content=figure.read_bytes()))
        title = page.splitlines()[0].removeprefix("# ")
        index.append(f"- [{title}]({script.stem}.md)")
    files.append(File.generated(config, "examples/index.md", content="\n".join(index) + "\n"))
    return files
