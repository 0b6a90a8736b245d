"""The classic network and triplet step of bench/_classic.ts, in PyTorch (CPU by default).

Prints one JSON line per batch size: {"batch": B, "images_per_s": X, "params": P}.
Usage: python3 bench/pytorch_triplet.py [--threads 2] [--batches 32,128] [--steps 5] [--warmup 2]
       [--dropout 0.1] [--device cpu|cuda]
"""
import argparse
import json
import time

import torch
from torch import nn
import torch.nn.functional as F


def classic(embedding=32, dropout=0.1):
    layers = []
    cin = 1
    for block, filters in enumerate([8, 16, 32]):
        layers += [
            nn.Conv2d(cin, filters, 3, padding=1),
            nn.Conv2d(filters, filters, 3, padding=1),
            # Keras defaults, as in tf.layers.batchNormalization: momentum 0.99, epsilon 1e-3.
            nn.BatchNorm2d(filters, eps=1e-3, momentum=0.01),
            nn.ReLU(),
            nn.Dropout2d(dropout),
        ]
        if block < 2:
            layers.append(nn.MaxPool2d(2))
        cin = filters
    layers += [
        nn.Flatten(),
        nn.Linear(32 * 7 * 7, 256),
        nn.BatchNorm1d(256, eps=1e-3, momentum=0.01),
        nn.ReLU(),
        nn.Linear(256, embedding),
    ]
    return nn.Sequential(*layers)


def triplet_loss(a, p, n, margin=1.0):
    a, p, n = (F.normalize(t, dim=1) for t in (a, p, n))
    d = lambda u, v: torch.sqrt(((u - v) ** 2).sum(1) + 1e-12)
    return F.relu(d(a, p) - d(a, n) + margin).mean()


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--batches", default="32,128")
    parser.add_argument("--steps", type=int, default=5)
    parser.add_argument("--warmup", type=int, default=2)
    parser.add_argument("--device", default="cpu", help="cpu or cuda")
    parser.add_argument("--dropout", type=float, default=0.1, help="spatial dropout rate (0: vgg({ dropout: 0 }))")
    args = parser.parse_args()
    device = torch.device(args.device)
    torch.set_num_threads(args.threads)
    torch.manual_seed(1)
    for batch in [int(b) for b in args.batches.split(",")]:
        model = classic(dropout=args.dropout).to(device)
        params = sum(p.numel() for p in model.parameters()) + sum(
            b.numel() for name, b in model.named_buffers() if not name.endswith("num_batches_tracked")
        )
        opt = torch.optim.Adam(model.parameters(), lr=1e-3)
        model.train()
        a, p, n = (torch.rand(batch, 1, 28, 28, device=device) for _ in range(3))
        times = []
        for step in range(args.warmup + args.steps):
            start = time.perf_counter()
            opt.zero_grad()
            out = model(torch.cat([a, p, n], 0))  # the three branches in one batched call
            ea, ep, en = torch.split(out, batch, 0)
            loss = triplet_loss(ea, ep, en)
            loss.backward()
            opt.step()
            float(loss)
            if step >= args.warmup:
                times.append(time.perf_counter() - start)
        times.sort()
        median = times[len(times) // 2]
        print(json.dumps({"batch": batch, "images_per_s": 3 * batch / median, "params": params, "device": args.device}), flush=True)


if __name__ == "__main__":
    main()
