"""The whole training loop a PyTorch user writes for the lecture's triplet example, timed end to end.

Beside `bench/fit_throughput.ts` (likeness's `compile` + `train.fit`): per step it samples a batch of
random triplets from Fashion-MNIST's 60,000 training images (anchor and positive of one class, the
negative of another, as `samplers.triplets`), gathers and scales them, runs the network of
`bench/pytorch_triplet.py` on the three branches in one batched call, the triplet margin loss on
L2-normalised embeddings, Adam 1e-3, and reads the loss back (`float(loss)`). Images/s counts 3 per
triplet over the timed steps (after `--warmup` untimed ones).

Prints one JSON line per batch size: {"batch": B, "images_per_s": X, "steps": S, "seconds": T}.
Usage: python3 bench/pytorch_fit.py [--threads 2] [--batches 32,128] [--steps 60] [--warmup 5]
       [--data /usr/share/datasets/fashion-mnist]
"""
import argparse
import gzip
import json
import os
import time

import numpy as np
import torch

from pytorch_triplet import classic, triplet_loss


def read_idx(path):
    with gzip.open(path, "rb") as f:
        raw = f.read()
    dims = raw[3]
    shape = [int.from_bytes(raw[4 + 4 * i : 8 + 4 * i], "big") for i in range(dims)]
    return np.frombuffer(raw, dtype=np.uint8, offset=4 + 4 * dims).reshape(shape)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--batches", default="32,128")
    parser.add_argument("--steps", type=int, default=60)
    parser.add_argument("--warmup", type=int, default=5)
    parser.add_argument("--data", default="/usr/share/datasets/fashion-mnist")
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    torch.manual_seed(1)
    images = read_idx(os.path.join(args.data, "train-images-idx3-ubyte.gz"))
    labels = read_idx(os.path.join(args.data, "train-labels-idx1-ubyte.gz")).astype(np.int64)
    by_class = [np.flatnonzero(labels == c) for c in range(10)]
    rng = np.random.default_rng(1)

    def sample(n):
        a_class = rng.integers(0, 10, n)
        n_class = (a_class + rng.integers(1, 10, n)) % 10
        pick = lambda cls: np.array([by_class[c][rng.integers(0, len(by_class[c]))] for c in cls])
        idx = np.concatenate([pick(a_class), pick(a_class), pick(n_class)])
        x = torch.from_numpy(images[idx].astype(np.float32) / 255.0).unsqueeze(1)
        return x

    for batch in [int(b) for b in args.batches.split(",")]:
        model = classic(dropout=0.0)
        opt = torch.optim.Adam(model.parameters(), lr=1e-3)
        model.train()
        start = None
        for step in range(args.warmup + args.steps):
            if step == args.warmup:
                start = time.perf_counter()
            x = sample(batch)
            opt.zero_grad()
            ea, ep, en = torch.split(model(x), batch, 0)
            loss = triplet_loss(ea, ep, en)
            loss.backward()
            opt.step()
            float(loss)
        seconds = time.perf_counter() - start
        print(json.dumps({"batch": batch, "images_per_s": 3 * batch * args.steps / seconds,
                          "steps": args.steps, "seconds": seconds}), flush=True)


if __name__ == "__main__":
    main()
