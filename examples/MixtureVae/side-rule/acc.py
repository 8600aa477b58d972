import sys, csv, numpy as np
from scipy.optimize import linear_sum_assignment
rows = list(csv.DictReader(open(sys.argv[1])))
c = np.array([int(r['cluster']) for r in rows]); y = np.array([int(float(r['label'])) for r in rows])
m = np.zeros((10, 10)); np.add.at(m, (c, y), 1)
i, j = linear_sum_assignment(-m)
print(f'{m[i, j].sum() / len(y) * 100:.2f}')
