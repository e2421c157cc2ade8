"""Does information only decay along a Markov chain?

Question: in the ASIA network, smoke -> lung -> either -> xray is a chain. The
data processing inequality says I(smoke; lung) >= I(smoke; either) >=
I(smoke; xray), and each link screens off the past: smoke is independent of
either given lung. ``markov_chain_check`` tests both claims on sampled rows.

Run: ``python examples/dpi_markov_chain.py`` (``MISTRUCT_EXAMPLE_SMALL=1``: fewer rows).
"""

import os

import mistruct
from mistruct.interop import datasets

n_rows = 5000 if os.environ.get("MISTRUCT_EXAMPLE_SMALL") else 20000
data = datasets.sample_network("asia", n_rows, seed=1).data
chain = ["smoke", "lung", "either", "xray"]

for later in chain[1:]:
    mi = mistruct.mutual_information(data["smoke"], data[later])
    print(f"I(smoke; {later:6s}) = {mi:.5f} bits")

report = mistruct.markov_chain_check(data, chain, seed=0)
shown = ["x", "y", "z", "mi_xy", "mi_yz", "mi_xz", "cmi_xz_given_y", "pvalue", "violation"]
print(report[shown].round(5).to_string(index=False))
print("smoke -> lung -> either -> xray violates the chain:", bool(report["violation"].any()))

# The wrong order: smoke does not screen lung off from either.
wrong = mistruct.markov_chain_check(data, ["lung", "smoke", "either"], seed=0)
print("lung -> smoke -> either violates the chain:", bool(wrong["violation"].any()))
