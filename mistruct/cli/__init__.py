"""The ``mistruct`` command line.

Each sub-command lives in a module of its own in this package and exposes a
``click`` command named ``command``; this module only gathers them.
"""

import click

from mistruct import __version__
from mistruct.cli import citest, learn, mi, score, select


@click.group(context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
@click.version_option(__version__, prog_name="mistruct")
def main():
    """Learn which columns of a table depend on which, from information measures.

    \b
    Start here:
      mistruct learn --example alarm       learn a network from bundled example data
      mistruct mi data.csv                 mutual information between every pair of columns
      mistruct citest data.csv X Y -g Z    is X independent of Y given Z?
      mistruct score labels.csv --true a --pred b   compare two clusterings
      mistruct select data.csv --target y -k auto   features that carry information about y

    Run `mistruct COMMAND --help` for the options of each command.
    """


for _module in (learn, mi, citest, score, select):
    main.add_command(_module.command)
