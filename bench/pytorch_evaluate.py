"""PyTorch's side of bench/evaluate_speed.ts: embed N images with the lecture's network
(bench/pytorch_triplet.py's `classic`, dropout 0, eval mode, L2-normalised) and compute the
metrics of likeness's `evaluate` with torch ops on the same machine:
verification over `max_pairs` sampled pairs (ROC by sorting, AUC, EER, TAR at FAR 1e-2/1e-3,
best-accuracy threshold), identification with one gallery row per class (rank-1/5), and
leave-one-out retrieval over the whole set (precision@1, R-precision, MAP@R as
pytorch-metric-learning defines them; k = the largest class size, exact `torch.cdist`).

Prints one JSON line: {"embed_ms": ..., "verification_ms": ..., "identification_ms": ...,
"retrieval_ms": ..., "total_ms": ..., "precision_at_1": ..., ...}.
Usage: python3 bench/pytorch_evaluate.py [--n 10000] [--classes 10] [--threads 2] [--batch 500]
"""
import argparse
import json
import time

import torch
import torch.nn.functional as F

from pytorch_triplet import classic


def roc_metrics(d, same):
    order = torch.argsort(d)
    s = same[order].double()
    tp = torch.cumsum(s, 0)
    fp = torch.cumsum(1 - s, 0)
    tar = torch.cat([torch.zeros(1, dtype=torch.float64), tp / s.sum()])
    far = torch.cat([torch.zeros(1, dtype=torch.float64), fp / (1 - s).sum()])
    auc = torch.trapz(tar, far).item()
    frr = 1 - tar
    i = torch.argmin(torch.abs(far - frr)).item()
    eer = ((far[i] + frr[i]) / 2).item()
    tars = [tar[torch.searchsorted(far, torch.tensor([f], dtype=torch.float64)).clamp(max=len(far) - 1)].item() for f in (1e-2, 1e-3)]
    acc = (tp + ((1 - s).sum() - fp)) / len(s)
    j = torch.argmax(acc).item()
    return {"auc": auc, "eer": eer, "tar": tars, "threshold": d[order][j].item(), "accuracy": acc[j].item()}


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--n", type=int, default=10000)
    p.add_argument("--classes", type=int, default=10)
    p.add_argument("--threads", type=int, default=2)
    p.add_argument("--batch", type=int, default=500)
    p.add_argument("--max-pairs", type=int, default=200000)
    a = p.parse_args()
    torch.set_num_threads(a.threads)
    torch.manual_seed(0)
    model = classic(dropout=0.0).eval()
    x = torch.rand(a.n, 1, 28, 28)
    labels = torch.arange(a.n) % a.classes
    out = {}
    with torch.no_grad():  # warm-up: one block, as the likeness side does
        model(x[:a.batch])
    t0 = time.perf_counter()
    with torch.no_grad():
        e = torch.cat([F.normalize(model(x[i:i + a.batch]), dim=1) for i in range(0, a.n, a.batch)])
        out["embed_ms"] = (time.perf_counter() - t0) * 1000
        # verification: sampled pairs i != j
        t = time.perf_counter()
        g = torch.Generator().manual_seed(0)
        i = torch.randint(0, a.n, (a.max_pairs,), generator=g)
        j = (i + torch.randint(1, a.n, (a.max_pairs,), generator=g)) % a.n
        d = torch.sqrt(((e[i] - e[j]) ** 2).sum(1))
        v = roc_metrics(d, labels[i] == labels[j])
        out["verification_ms"] = (time.perf_counter() - t) * 1000
        # identification: one gallery row per class, every other row a probe
        t = time.perf_counter()
        gallery = torch.stack([torch.nonzero(labels == c)[0, 0] for c in range(a.classes)])
        mask = torch.ones(a.n, dtype=torch.bool)
        mask[gallery] = False
        probes = torch.nonzero(mask)[:, 0]
        dist = torch.cdist(e[probes], e[gallery])
        ranked = labels[gallery][torch.argsort(dist, 1)]
        hit = ranked == labels[probes][:, None]
        rank1 = hit[:, 0].double().mean().item()
        rank5 = hit[:, :5].any(1).double().mean().item()
        out["identification_ms"] = (time.perf_counter() - t) * 1000
        # retrieval: leave-one-out over the whole set, in blocks of 1000 queries
        t = time.perf_counter()
        counts = torch.bincount(labels)
        k = int(counts.max().item())
        p1 = rp = mapr = 0.0
        for s in range(0, a.n, 1000):
            q = e[s:s + 1000]
            dd = torch.cdist(q, e)
            dd[torch.arange(len(q)), torch.arange(s, s + len(q))] = float("inf")
            nn = torch.topk(dd, k, largest=False).indices
            correct = labels[nn] == labels[s:s + len(q)][:, None]
            r = counts[labels[s:s + len(q)]] - 1
            ranks = torch.arange(1, k + 1)[None, :]
            within = ranks <= r[:, None]
            p1 += correct[:, 0].double().sum().item()
            rp += ((correct & within).sum(1).double() / r).sum().item()
            prec = torch.cumsum(correct.double(), 1) / ranks
            mapr += ((prec * (correct & within)).sum(1) / r).sum().item()
        out["retrieval_ms"] = (time.perf_counter() - t) * 1000
    out["total_ms"] = (time.perf_counter() - t0) * 1000
    out.update({"precision_at_1": p1 / a.n, "r_precision": rp / a.n, "map_at_r": mapr / a.n,
                "rank1": rank1, "rank5": rank5, **{k2: v[k2] for k2 in ("auc", "eer", "accuracy")}})
    print(json.dumps(out))


if __name__ == "__main__":
    main()
