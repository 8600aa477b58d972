#!/usr/bin/env python3
"""Same-run scikit-learn baselines for the anomaly benchmark (issue 27), called by the benchmark as a child process.

Usage: python3 baselines.py TABLE.csv [--forest-seeds N]
Reads a CSV with header f0..f{d-1},label (the label is never read by the detectors), standardises the features
(mean / standard deviation over all rows), fits each detector on all rows and writes one line per detector to stdout:
    name<TAB>score_0,score_1,...   (one score per row in file order, higher = more anomalous)
With --forest-seeds N (N > 1), IsolationForest is also fitted with random_state 1..N-1, written as
"IsolationForest@1", ... after the four lines above (issue 27, round 3).
The benchmark computes the AUROC with the library's own code. Fixed seeds: the result depends only on the table.
"""
import sys

import numpy as np
from sklearn.decomposition import PCA
from sklearn.ensemble import IsolationForest
from sklearn.neighbors import LocalOutlierFactor, NearestNeighbors
from sklearn.preprocessing import StandardScaler


def main(path, forest_seeds=1):
    data = np.loadtxt(path, delimiter=",", skiprows=1, dtype=np.float64, ndmin=2)
    x = StandardScaler().fit_transform(data[:, :-1])
    d = x.shape[1]

    forest = IsolationForest(n_estimators=100, random_state=0).fit(x)
    iforest = -forest.score_samples(x)

    # Distance to the 5th nearest other row (the row itself is its own first neighbour).
    distances, _ = NearestNeighbors(n_neighbors=6).fit(x).kneighbors(x)
    knn = distances[:, 5]

    lof = LocalOutlierFactor(n_neighbors=20).fit(x)
    lof_score = -lof.negative_outlier_factor_

    pca = PCA(n_components=max(1, d // 2), random_state=0).fit(x)
    back = pca.inverse_transform(pca.transform(x))
    pca_error = ((x - back) ** 2).sum(axis=1)

    results = [("IsolationForest", iforest), ("5-NN", knn), ("LOF", lof_score), ("PCA", pca_error)]
    for seed in range(1, forest_seeds):
        other = IsolationForest(n_estimators=100, random_state=seed).fit(x)
        results.append(("IsolationForest@%d" % seed, -other.score_samples(x)))

    out = sys.stdout
    for name, scores in results:
        out.write(name + "\t" + ",".join(repr(float(v)) for v in scores) + "\n")


if __name__ == "__main__":
    if len(sys.argv) == 2:
        main(sys.argv[1])
    elif len(sys.argv) == 4 and sys.argv[2] == "--forest-seeds" and sys.argv[3].isdigit() and int(sys.argv[3]) >= 1:
        main(sys.argv[1], int(sys.argv[3]))
    else:
        sys.exit("usage: baselines.py TABLE.csv [--forest-seeds N]  (N >= 1)")
