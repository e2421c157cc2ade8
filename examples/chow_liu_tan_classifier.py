"""Chow-Liu tree, and a TAN classifier versus naive Bayes, on a table.

Question: on rows sampled from the CHILD network (20 discrete columns), which
tree of pairwise dependencies does Chow-Liu find, and does a tree-augmented
naive Bayes classifier (TAN) predict the ``Disease`` column better than naive
Bayes, whose features ignore each other?

Both classifiers are Bayesian networks fitted with
``mistruct.fit_bayesian_network``; a row's class is the value that maximises
the row's log-likelihood (``mistruct.log_likelihood``).

Run: ``python examples/chow_liu_tan_classifier.py [OUTPUT_DIR]``
(``MISTRUCT_EXAMPLE_SMALL=1``: fewer rows).
"""

import os
import sys
from pathlib import Path

import networkx as nx
import numpy as np

import mistruct
from mistruct.interop import datasets
from mistruct.plotting import plot_graph

out = Path(sys.argv[1] if len(sys.argv) > 1 else os.environ.get("MISTRUCT_EXAMPLE_OUT", "."))
out.mkdir(parents=True, exist_ok=True)
n_train = 1000 if os.environ.get("MISTRUCT_EXAMPLE_SMALL") else 3000
CLASS = "Disease"

example = datasets.sample_network("child", n_train + 2000, seed=0)
train, test = example.data.iloc[:n_train], example.data.iloc[n_train:]

tree = mistruct.chow_liu_tree(train, root=CLASS)
true_skeleton = {frozenset(edge) for edge in example.graph.edges()}
found = sum(frozenset(edge) in true_skeleton for edge in tree.edges())
print(f"Chow-Liu tree: {tree.number_of_edges()} edges, {found} of them in the true network")


def accuracy(graph):
    model = mistruct.fit_bayesian_network(train, graph)
    classes = list(train[CLASS].cat.categories)
    scores = np.column_stack([
        mistruct.log_likelihood(model, test.assign(**{CLASS: value}), per_row=True)
        for value in classes
    ])
    predicted = np.asarray(classes)[scores.argmax(axis=1)]
    return float(np.mean(predicted == test[CLASS].to_numpy()))


naive_bayes = nx.DiGraph((CLASS, column) for column in train.columns if column != CLASS)
tan = mistruct.tan(train, CLASS)
print(f"naive Bayes accuracy on {len(test)} held-out rows: {accuracy(naive_bayes):.3f}")
print(f"TAN accuracy on {len(test)} held-out rows:         {accuracy(tan):.3f}")

figure = out / "chow_liu_tree.png"
plot_graph(tree, figure, true_graph=example.graph, title="Chow-Liu tree on CHILD rows")
print(f"figure: {figure}")
