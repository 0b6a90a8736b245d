"""Reference numbers for tests/losses/pml_reference_test.ts.

pytorch-metric-learning (PML) is not installed here: each function below transcribes the
compute_loss / reducer code of PML (master, 2024-12, commit 216a792c) for its default
options into plain torch, in float64. Run: /usr/bin/python3 tests/losses/_pml_reference.py
"""
import math

import numpy as np
import torch

torch.set_default_dtype(torch.float64)

X = torch.tensor([
    [-0.83, -0.53, 0.6], [0.16, -0.81, -0.13], [-0.04, -0.68, 0.47],
    [-0.77, -0.22, 0.03], [-0.14, 0.17, 0.48],
    [0.91, -0.43, 0.3], [0.39, -0.41, -1.0],
    [0.95, -0.4, -0.37],
])
Y = torch.tensor([0, 0, 0, 1, 1, 2, 2, 3])


def normalize(x):
    return torch.nn.functional.normalize(x, p=2, dim=1)


def l2(x):  # LpDistance(normalize_embeddings=True, p=2, power=1)
    return torch.cdist(normalize(x), normalize(x))


def pairs(y):
    m = (y[:, None] == y[None, :]).int()
    m.fill_diagonal_(0)
    d = (y[:, None] != y[None, :]).int()
    a1, p = torch.where(m)
    a2, n = torch.where(d)
    return a1, p, a2, n


def triplets(y):
    m = (y[:, None] == y[None, :]).int()
    m.fill_diagonal_(0)
    d = (y[:, None] != y[None, :]).int()
    a, p, n = torch.where(m[:, :, None] * d[:, None, :])
    return a, p, n


def logsumexp(x, keep_mask, add_one=True):
    x = x.masked_fill(~keep_mask, -math.inf)
    if add_one:
        x = torch.cat([x, torch.zeros(x.shape[0], 1)], dim=1)
    out = torch.logsumexp(x, dim=1, keepdim=True)
    return out.masked_fill(~torch.any(keep_mask, dim=1, keepdim=True), 0)


def n_pairs(x, y):  # NPairsLoss(), DotProductSimilarity, MeanReducer
    a1, p, _, _ = pairs(y)
    _, idx = np.unique(y[a1].numpy(), return_index=True)
    a, p = a1[idx], p[idx]
    sim = x[a] @ x[p].T
    return torch.nn.functional.cross_entropy(sim, torch.arange(len(a)))


def margin(x, y, margin=0.2, beta=1.2):  # MarginLoss(), DivisorReducer
    a, p, n = triplets(y)
    mat = l2(x)
    pos = torch.relu(mat[a, p] - beta + margin)
    neg = torch.relu(beta - mat[a, n] + margin)
    divisor = (pos > 0).sum() + (neg > 0).sum()
    return (pos + neg).sum() / divisor if divisor > 0 else torch.tensor(0.0)


def angular(x, y, alpha=40):  # AngularLoss(), MeanReducer over positive pairs
    a1, p, a2, _ = pairs(y)
    anchors, positives = normalize(x[a1]), normalize(x[p])
    keep = y[a1][:, None] != y[None, :]
    t2 = math.tan(math.radians(alpha)) ** 2
    ap_dot = torch.sum(anchors * positives, dim=1, keepdim=True)
    apm = torch.matmul(anchors + positives, x.unsqueeze(2)).squeeze(2).t()
    f = 4 * t2 * apm - 2 * (1 + t2) * ap_dot
    return logsumexp(f, keep, add_one=True).mean()


def fast_ap(x, y, num_bins=10):  # FastAPLoss(), LpDistance(power=2), MeanReducer
    N = len(y)
    a1, p, a2, n = pairs(y)
    I_pos = torch.zeros(N, N)
    I_neg = torch.zeros(N, N)
    I_pos[a1, p] = 1
    I_neg[a2, n] = 1
    N_pos = I_pos.sum(1)
    safe_N = N_pos > 0
    d = l2(x) ** 2
    hmax = 4.0
    delta = hmax / num_bins
    mid = torch.linspace(0.0, hmax, steps=num_bins + 1).view(-1, 1, 1)
    pulse = torch.relu(1 - torch.abs(d - mid) / delta)
    pos_hist = torch.t(torch.sum(pulse * I_pos, dim=2))
    neg_hist = torch.t(torch.sum(pulse * I_neg, dim=2))
    tp = torch.cumsum(pos_hist, 1)
    th = torch.cumsum(pos_hist + neg_hist, 1)
    h = pos_hist * tp
    safe = (h > 0) & (th > 0)
    fa = torch.zeros_like(pos_hist)
    fa[safe] = h[safe] / th[safe]
    fa = fa.sum(1)[safe_N] / N_pos[safe_N]
    return (1 - fa).mean()


def lp_regularizer(x, p=2, power=1):
    return (torch.norm(x, p=p, dim=1) ** power).mean()


def multi_similarity_class_weighted(x, y, w, alpha=2, beta=50, base=0.5):
    # MultiSimilarityLoss(reducer=ClassWeightedReducer(w)): element losses per row
    mat = normalize(x) @ normalize(x).T
    pos = (y[:, None] == y[None, :])
    pos.fill_diagonal_(False)
    neg = y[:, None] != y[None, :]
    pl = (1 / alpha) * logsumexp(-alpha * (mat - base), pos, True)
    nl = (1 / beta) * logsumexp(beta * (mat - base), neg, True)
    losses = (pl + nl).squeeze(1)
    return torch.mean(losses * w[y])


def threshold_triplet(x, y, low=0.1, high=0.5, margin=0.2):
    # TripletMarginLoss(margin, reducer=ThresholdReducer(low, high)), LpDistance without
    # normalisation (likeness's euclidean), all triplets
    a, p, n = triplets(y)
    d = torch.cdist(x, x)
    losses = torch.relu(d[a, p] - d[a, n] + margin)
    losses = losses[losses > low]
    losses = losses[losses < high]
    return losses.mean() if len(losses) else torch.tensor(0.0)


def triplet_margin_miner(x, y, margin=0.2, kind="all"):  # TripletMarginMiner, LpDistance
    a, p, n = triplets(y)
    mat = l2(x)
    g = mat[a, n] - mat[a, p]
    if kind == "easy":
        c = g > margin
    else:
        c = g <= margin
        if kind == "hard":
            c &= g <= 0
        elif kind == "semihard":
            c &= g > 0
    return a[c], p[c], n[c]


def pair_margin_miner(x, y, pos_margin=0.2, neg_margin=0.8):  # PairMarginMiner, LpDistance
    mat = l2(x)
    a1, p, a2, n = pairs(y)
    pm, nm = mat[a1, p] > pos_margin, mat[a2, n] < neg_margin
    return a1[pm], p[pm], a2[nm], n[nm]


def checksum(*index_lists):
    """Order-sensitive: Σ_k (k + 1)·(64·i + 8·j + l) over the tuples (i, j[, l])."""
    total = 0
    for k, t in enumerate(zip(*[v.tolist() for v in index_lists])):
        code = 0
        for v in t:
            code = code * 8 + v
        total += (k + 1) * code
    return total


if __name__ == "__main__":
    for kind, margin_ in [("all", 0.2), ("hard", 0.2), ("semihard", 0.2), ("easy", 0.2), ("all", 0.5)]:
        t = triplet_margin_miner(X, Y, margin_, kind)
        print(f"tripletMarginMiner {kind} {margin_}: {len(t[0])} triplets, checksum {checksum(*t)}")
    for pm, nm in [(0.2, 0.8), (1.0, 1.2)]:
        a1, p, a2, n = pair_margin_miner(X, Y, pm, nm)
        print(f"pairMarginMiner {pm} {nm}: {len(a1)} positive pairs, checksum {checksum(a1, p)}; "
              f"{len(a2)} negative pairs, checksum {checksum(a2, n)}")
    w = torch.tensor([1.0, 2.0, 0.5, 3.0])
    for name, v in [
        ("nPairs", n_pairs(X, Y)),
        ("nPairs unit", n_pairs(normalize(X), Y)),
        ("marginLoss", margin(X, Y)),
        ("marginLoss margin 0.1 beta 1", margin(X, Y, 0.1, 1.0)),
        ("angular", angular(X, Y)),
        ("angular alpha 30", angular(X, Y, 30)),
        ("fastAP", fast_ap(X, Y)),
        ("fastAP 5 bins", fast_ap(X, Y, 5)),
        ("lpRegularizer", lp_regularizer(X)),
        ("lpRegularizer p 1 power 2", lp_regularizer(X, 1, 2)),
        ("classWeighted multiSimilarity", multi_similarity_class_weighted(X, Y, w)),
        ("thresholdReducer tripletMargin", threshold_triplet(X, Y)),
    ]:
        print(f"{name}: {v.item():.12g}")
