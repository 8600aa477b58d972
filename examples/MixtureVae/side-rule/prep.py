# MNIST training rows 50,000-59,999 (never the test set), downsampled by area averaging to side s, in subsets of 2,000 rows.
# Usage: python3 prep.py [OUT_DIR] (default: the current directory); reads ../shared/datasets/mnist beside the repository.
import gzip, os, sys, numpy as np, torch, torch.nn.functional as F
d = os.path.join(os.path.dirname(os.path.abspath(__file__)), '../../../../shared/datasets/mnist/')
out = sys.argv[1] if len(sys.argv) > 1 else '.'
x = np.frombuffer(gzip.open(d + 'train-images-idx3-ubyte.gz').read(), np.uint8, offset=16).reshape(-1, 28, 28).astype(np.float32) / 255
y = np.frombuffer(gzip.open(d + 'train-labels-idx1-ubyte.gz').read(), np.uint8, offset=8)
for s in (8, 12, 16, 20):
    for k in (0, 1):
        lo = 50000 + 2000 * k
        t = torch.from_numpy(x[lo:lo + 2000]).unsqueeze(1)
        small = F.adaptive_avg_pool2d(t, s).reshape(2000, -1).clamp(0, 1).numpy()
        with open(os.path.join(out, f'mnist{s}_{k}.csv'), 'w') as f:
            f.write(','.join(f'p{i}' for i in range(s * s)) + ',label\n')
            for r, l in zip(small, y[lo:lo + 2000]):
                f.write(','.join(f'{v:.4f}' for v in r) + f',{l}\n')
print('ok')
