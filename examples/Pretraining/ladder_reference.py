"""A reference Ladder network in PyTorch (Rasmus et al. 2015, "Semi-supervised learning with Ladder networks",
dense MNIST version with the vanilla combinator), to check the library's Ladder objective against.

Follows the paper and its public code (CuriousAI/ladder in Theano, rinuboney/ladder in TensorFlow):
  encoder  z_l = BN(W_l h_{l-1}) (+ noise on the corrupted path), h_l = relu(z_l + beta_l), top: gamma * (z_L + beta_L);
           in training the labeled and the unlabeled part of a batch are normalised each with its own statistics,
           the running statistics (for evaluation) follow the clean unlabeled part;
  decoder  u_L = BN(softmax(corrupted logits)), u_l = BN(V_{l+1} zhat_{l+1}), zhat_l = g(z~_l, u_l) (eq. 2, a1..a10),
           on the unlabeled rows; cost sum_l lambda_l * mean_rows ||(zhat_l - m_l)/s_l - z_l||^2 / width_l, m_l and s_l
           the clean unlabeled batch's statistics;
  supervised cost: cross-entropy of the corrupted logits on the labeled rows; predictions: clean path, running stats.

Data: MNIST training images (IDX gz), pixels / 255. Pool = training rows 0-49,999 (the unlabeled rows, labeled ones
included as in the paper), --per-class labeled rows of every class drawn from the pool (or --labeled-file: the row
indices the C# example printed); scored on training rows 50,000-59,999. The test set is never read.

Switches that turn one of the paper's choices into the library's (to find which difference matters):
  --joint-bn         normalise labeled and unlabeled rows of a batch together (one set of statistics)
  --cost-on-all      the denoising cost on the labeled rows too
  --schedule cosine  cosine annealing to zero (the paper: constant, then linear to zero over the last third)
  --linear-top       no ReLU on the layer below the head (a linear code layer, as the library's autoencoders have)

  /usr/bin/python3 examples/Pretraining/ladder_reference.py --sizes 784-1000-500-250-250-250-10 --steps 6000
"""
import argparse
import gzip
import os
import time

import numpy as np
import torch
import torch.nn.functional as F

EPS = 1e-5


def read_idx(path, header):
    with gzip.open(path, "rb") as f:
        return np.frombuffer(f.read(), dtype=np.uint8, offset=header)


def load(folder):
    images = read_idx(os.path.join(folder, "train-images-idx3-ubyte.gz"), 16).reshape(-1, 784).astype(np.float32) / 255
    labels = read_idx(os.path.join(folder, "train-labels-idx1-ubyte.gz"), 8).astype(np.int64)
    return images, labels


def bn(x):
    return (x - x.mean(0)) / (x.var(0, unbiased=False) + EPS).sqrt()


class Ladder(torch.nn.Module):
    def __init__(self, sizes, lambdas, noise, linear_top=False, joint_bn=False, momentum=0.1):
        super().__init__()
        self.sizes, self.noise, self.joint_bn, self.momentum = sizes, noise, joint_bn, momentum
        self.L = len(sizes) - 1
        self.lambdas = [lambdas[min(l, len(lambdas) - 1)] for l in range(self.L + 1)]
        self.linear_top = linear_top
        r = lambda i, o: torch.nn.Parameter(torch.randn(o, i) / np.sqrt(i))
        self.W = torch.nn.ParameterList([r(sizes[l - 1], sizes[l]) for l in range(1, self.L + 1)])
        self.V = torch.nn.ParameterList([r(sizes[l], sizes[l - 1]) for l in range(1, self.L + 1)])
        self.beta = torch.nn.ParameterList([torch.nn.Parameter(torch.zeros(sizes[l])) for l in range(1, self.L + 1)])
        self.gamma = torch.nn.Parameter(torch.ones(sizes[-1]))
        a = []
        for l in range(self.L + 1):
            init = torch.zeros(10, sizes[l])
            init[1] = 1
            init[6] = 1
            a.append(torch.nn.Parameter(init))
        self.a = torch.nn.ParameterList(a)
        for l in range(1, self.L + 1):
            self.register_buffer(f"rm{l}", torch.zeros(sizes[l]))
            self.register_buffer(f"rv{l}", torch.ones(sizes[l]))

    def encode(self, x, labeled, noise, update=False):
        """x: (N, D), the first `labeled` rows labeled. Returns z_0..z_L, the statistics m_l, s_l and the logits."""
        h = x + noise * torch.randn_like(x) if noise > 0 else x
        zs, ms, ss = [h], [None], [None]
        for l in range(1, self.L + 1):
            pre = h @ self.W[l - 1].t()
            rm, rv = getattr(self, f"rm{l}"), getattr(self, f"rv{l}")
            if self.training:
                un = pre[labeled:]
                m, v = un.mean(0), un.var(0, unbiased=False)
                s = (v + EPS).sqrt()
                if self.joint_bn or labeled == 0:
                    mm, vv = pre.mean(0), pre.var(0, unbiased=False)
                    z = (pre - mm) / (vv + EPS).sqrt()
                    m, s = mm, (vv + EPS).sqrt()
                    v = vv
                else:
                    z = torch.cat([bn(pre[:labeled]), (un - m) / s], 0)
                if update:
                    with torch.no_grad():
                        rm.mul_(1 - self.momentum).add_(self.momentum * m.detach())
                        rv.mul_(1 - self.momentum).add_(self.momentum * v.detach())
            else:
                m, s = rm, (rv + EPS).sqrt()
                z = (pre - m) / s
            if noise > 0:
                z = z + noise * torch.randn_like(z)
            zs.append(z)
            ms.append(m)
            ss.append(s)
            if l == self.L:
                h = self.gamma * (z + self.beta[l - 1])
            elif l == self.L - 1 and self.linear_top:
                h = z + self.beta[l - 1]
            else:
                h = F.relu(z + self.beta[l - 1])
        return zs, ms, ss, h

    def combine(self, l, zc, u):
        a = self.a[l]
        mu = a[0] * torch.sigmoid(a[1] * u + a[2]) + a[3] * u + a[4]
        v = a[5] * torch.sigmoid(a[6] * u + a[7]) + a[8] * u + a[9]
        return (zc - mu) * v + mu

    def loss(self, x, y, cost_on_all=False):
        nl = y.shape[0]
        clean_z, ms, ss, _ = self.encode(x, nl, 0.0, update=True)
        corr_z, _, _, logits = self.encode(x, nl, self.noise)
        supervised = F.cross_entropy(logits[:nl], y)
        rows = slice(0, None) if cost_on_all else slice(nl, None)
        cost = x.new_zeros(())
        above = None
        for l in range(self.L, -1, -1):
            u = F.softmax(logits, 1)[rows] if l == self.L else above @ self.V[l].t()
            zhat = self.combine(l, corr_z[l][rows], bn(u))
            if self.lambdas[l] > 0:
                target = clean_z[l][rows]
                est = zhat if l == 0 else (zhat - ms[l]) / ss[l]
                cost = cost + self.lambdas[l] * ((est - target) ** 2).sum(1).mean() / self.sizes[l]
            above = zhat
        return supervised, cost

    @torch.no_grad()
    def predict(self, x):
        self.eval()
        out = torch.cat([self.encode(x[i:i + 2000], 0, 0.0)[3].argmax(1) for i in range(0, x.shape[0], 2000)])
        self.train()
        return out


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--data", default="/work/shared/datasets/mnist")
    p.add_argument("--sizes", default="784-1000-500-250-250-250-10")
    p.add_argument("--lambdas", default="1000,10,0.1")
    p.add_argument("--noise", type=float, default=0.3)
    p.add_argument("--steps", type=int, default=6000)
    p.add_argument("--batch-labeled", type=int, default=100)
    p.add_argument("--batch-unlabeled", type=int, default=100)
    p.add_argument("--lr", type=float, default=2e-3)
    p.add_argument("--schedule", choices=["paper", "cosine", "constant"], default="paper")
    p.add_argument("--per-class", type=int, default=10)
    p.add_argument("--labeled-file", help="comma-separated pool row indices of the labeled rows (overrides --per-class)")
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--threads", type=int, default=1)
    p.add_argument("--joint-bn", action="store_true")
    p.add_argument("--cost-on-all", action="store_true")
    p.add_argument("--linear-top", action="store_true")
    p.add_argument("--report-every", type=int, default=500)
    args = p.parse_args()
    torch.set_num_threads(args.threads)
    torch.manual_seed(args.seed)
    rng = np.random.RandomState(args.seed)

    images, labels = load(args.data)
    pool, pool_labels = images[:50000], labels[:50000]
    held, held_labels = torch.from_numpy(images[50000:60000]), torch.from_numpy(labels[50000:60000])
    if args.labeled_file:
        with open(args.labeled_file) as f:
            chosen = np.array([int(t) for t in f.read().replace("\n", ",").split(",") if t.strip()])
    else:
        chosen = np.concatenate([rng.choice(np.flatnonzero(pool_labels == c), args.per_class, replace=False) for c in range(10)])
    assert chosen.max() < 50000
    xl, yl = torch.from_numpy(pool[chosen]), torch.from_numpy(pool_labels[chosen])
    xu = torch.from_numpy(pool)

    sizes = [int(s) for s in args.sizes.split("-")]
    model = Ladder(sizes, [float(v) for v in args.lambdas.split(",")], args.noise, args.linear_top, args.joint_bn)
    opt = torch.optim.Adam(model.parameters(), lr=args.lr)

    def rate(step):
        if args.schedule == "cosine":
            return 0.5 * (1 + np.cos(np.pi * step / args.steps))
        if args.schedule == "paper":
            start = args.steps * 2 // 3
            return 1.0 if step < start else (args.steps - step) / (args.steps - start)
        return 1.0

    sched = torch.optim.lr_scheduler.LambdaLR(opt, rate)
    print(f"sizes {sizes}, lambdas {model.lambdas}, noise {args.noise}, steps {args.steps}, batch {args.batch_labeled}+{args.batch_unlabeled}, "
          f"lr {args.lr} ({args.schedule}), {len(chosen)} labels, joint_bn {args.joint_bn}, cost_on_all {args.cost_on_all}, "
          f"linear_top {args.linear_top}, seed {args.seed}", flush=True)
    lab_order, lab_pos, un_order, un_pos = rng.permutation(len(chosen)), 0, rng.permutation(len(pool)), 0
    clock = time.time()
    sup_sum = cost_sum = 0.0
    for step in range(1, args.steps + 1):
        nl = min(args.batch_labeled, len(chosen))
        if lab_pos + nl > len(chosen):
            lab_order, lab_pos = rng.permutation(len(chosen)), 0
        li = lab_order[lab_pos:lab_pos + nl]
        lab_pos += nl
        if un_pos + args.batch_unlabeled > len(pool):
            un_order, un_pos = rng.permutation(len(pool)), 0
        ui = un_order[un_pos:un_pos + args.batch_unlabeled]
        un_pos += args.batch_unlabeled
        x = torch.cat([xl[li], xu[ui]], 0)
        supervised, cost = model.loss(x, yl[li], args.cost_on_all)
        opt.zero_grad()
        (supervised + cost).backward()
        opt.step()
        sched.step()
        sup_sum += supervised.item()
        cost_sum += cost.item()
        if step % args.report_every == 0 or step == args.steps:
            acc = (model.predict(held) == held_labels).float().mean().item()
            n = args.report_every if step % args.report_every == 0 else step % args.report_every
            print(f"step {step}: cross-entropy {sup_sum / n:.4f}, denoising {cost_sum / n:.4f}, held-out accuracy {acc:.2%} "
                  f"({time.time() - clock:.0f} s)", flush=True)
            sup_sum = cost_sum = 0.0
    print(f"final held-out accuracy (training rows 50,000-59,999): {acc:.2%}")


if __name__ == "__main__":
    main()
