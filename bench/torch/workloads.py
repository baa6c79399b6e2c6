"""PyTorch twins of the tensor-core bench workloads (bench/workloads/*.ts).

Also loads every other bench/torch/<name>.py that defines `WORKLOADS = {key: setup}`
(the twins of the method packages' bench/workloads/<name>.ts, which name their
key in a `torch` field); a setup takes no arguments and returns the step function.
Prints one JSON object: {"threads": n, "torch": version, "workloads": {name: median_ms}}.
Usage: python3 workloads.py --threads 1 [--only a,b] [--runs 10] [--warmup 3] [--clock wall|cpu]
(--threads 0 keeps PyTorch's default thread count). Same shapes, same
architecture and the same optimizer as the TypeScript flavours; the GCN uses
a dense normalised adjacency there too.
"""
import argparse
import importlib.util
import json
import math
import os
import statistics
import sys
import time

import torch
import torch.nn.functional as F


def timed(step, runs, warmup, clock=time.perf_counter):
    for _ in range(warmup):
        step()
    times = []
    for _ in range(runs):
        start = clock()
        step()
        times.append((clock() - start) * 1000.0)
    return statistics.median(times)


def matmul(transpose_a, transpose_b):
    def setup():
        g = torch.Generator().manual_seed(1)
        a = torch.rand(512, 512, generator=g) * 2 - 1
        b = torch.rand(512, 512, generator=g) * 2 - 1
        # Transposed operands as torch sees them from tfjs's transposeA/B:
        # strided views, exactly like x.t() in a backward pass.
        return lambda: torch.matmul(a.t() if transpose_a else a, b.t() if transpose_b else b)
    return setup


def mlp():
    g = torch.Generator().manual_seed(11)
    x = torch.rand(256, 784, generator=g)
    y = torch.randint(0, 10, (256,), generator=g)
    model = torch.nn.Sequential(torch.nn.Linear(784, 256), torch.nn.ReLU(), torch.nn.Linear(256, 10))
    opt = torch.optim.Adam(model.parameters(), lr=1e-3, betas=(0.9, 0.999), eps=1e-8)

    def step():
        opt.zero_grad(set_to_none=True)
        F.cross_entropy(model(x), y).backward()
        opt.step()
    return step


class Block(torch.nn.Module):
    """A pre-norm causal transformer block; bench/torch/decision-transformer.py uses it with ReLU."""

    def __init__(self, d, heads, dff, activation=F.gelu):
        super().__init__()
        self.heads = heads
        self.activation = activation
        self.ln1 = torch.nn.LayerNorm(d)
        self.q = torch.nn.Linear(d, d)
        self.k = torch.nn.Linear(d, d)
        self.v = torch.nn.Linear(d, d)
        self.o = torch.nn.Linear(d, d)
        self.ln2 = torch.nn.LayerNorm(d)
        self.fc1 = torch.nn.Linear(d, dff)
        self.fc2 = torch.nn.Linear(dff, d)

    def forward(self, h, mask):
        b, t, d = h.shape
        dh = d // self.heads
        x = self.ln1(h)
        split = lambda z: z.view(b, t, self.heads, dh).transpose(1, 2)
        q, k, v = split(self.q(x)), split(self.k(x)), split(self.v(x))
        scores = q @ k.transpose(-1, -2) / math.sqrt(dh) + mask
        context = (scores.softmax(-1) @ v).transpose(1, 2).reshape(b, t, d)
        h = h + self.o(context)
        return h + self.fc2(self.activation(self.fc1(self.ln2(h))))


def transformer():
    vocab, d, heads, layers, dff, t, b = 64, 64, 4, 2, 256, 32, 16
    g = torch.Generator().manual_seed(31)
    ids = torch.randint(0, vocab, (b, t + 1), generator=g)
    tokens, targets = ids[:, :-1], ids[:, 1:].reshape(-1)
    emb = torch.nn.Embedding(vocab, d)
    pos = torch.nn.Parameter(torch.randn(t, d) * 0.02)
    blocks = torch.nn.ModuleList([Block(d, heads, dff) for _ in range(layers)])
    lnf = torch.nn.LayerNorm(d)
    head = torch.nn.Linear(d, vocab)
    mask = torch.triu(torch.full((t, t), -1e9), diagonal=1)
    params = [pos, *emb.parameters(), *blocks.parameters(), *lnf.parameters(), *head.parameters()]
    opt = torch.optim.Adam(params, lr=1e-3, betas=(0.9, 0.999), eps=1e-8)

    def step():
        opt.zero_grad(set_to_none=True)
        h = emb(tokens) + pos
        for blk in blocks:
            h = blk(h, mask)
        logits = head(lnf(h)).reshape(-1, vocab)
        F.cross_entropy(logits, targets).backward()
        opt.step()
    return step


def gcn():
    nodes, features, hidden, classes, degree = 512, 128, 64, 8, 8
    g = torch.Generator().manual_seed(41)
    adj = torch.eye(nodes)
    ends = torch.randint(0, nodes, (nodes, degree // 2), generator=g)
    for i in range(nodes):
        adj[i, ends[i]] = 1.0
        adj[ends[i], i] = 1.0
    deg = adj.sum(1)
    a_hat = adj / torch.sqrt(deg[:, None] * deg[None, :])
    x = torch.rand(nodes, features, generator=g)
    y = torch.randint(0, classes, (nodes,), generator=g)
    l1 = torch.nn.Linear(features, hidden)
    l2 = torch.nn.Linear(hidden, classes)
    opt = torch.optim.Adam([*l1.parameters(), *l2.parameters()], lr=1e-2, betas=(0.9, 0.999), eps=1e-8)

    def step():
        opt.zero_grad(set_to_none=True)
        h = torch.relu(a_hat @ l1(x))
        F.cross_entropy(a_hat @ l2(h), y).backward()
        opt.step()
    return step


WORKLOADS = {
    'matmul-512': matmul(False, False),
    'matmul-512-tA': matmul(True, False),
    'matmul-512-tB': matmul(False, True),
    'mlp-784-256-10-adam-b256': mlp,
    'transformer-step': transformer,
    'gcn-step': gcn,
}


def load_package_twins():
    """Merge WORKLOADS from bench/torch/*.py (other than this file) into ours; a file that fails is reported and skipped."""
    here = os.path.dirname(os.path.abspath(__file__))
    for file in sorted(os.listdir(here)):
        if not file.endswith('.py') or file == os.path.basename(__file__):
            continue
        path = os.path.join(here, file)
        try:
            spec = importlib.util.spec_from_file_location('paperkit_twin_' + file[:-3].replace('-', '_'), path)
            module = importlib.util.module_from_spec(spec)
            spec.loader.exec_module(module)
        except Exception as error:  # a broken twin must not hide the others
            print(f'[bench/torch] {file}: could not be loaded ({error}); skipped', file=sys.stderr)
            continue
        twins = getattr(module, 'WORKLOADS', None)
        if not isinstance(twins, dict):
            continue
        for key, setup in twins.items():
            if key in WORKLOADS:
                print(f'[bench/torch] {file}: {key} is already defined; kept the first', file=sys.stderr)
            else:
                WORKLOADS[key] = setup


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument('--threads', type=int, default=1, help='0 = PyTorch default')
    parser.add_argument('--only', default='')
    parser.add_argument('--runs', type=int, default=10)
    parser.add_argument('--warmup', type=int, default=3)
    parser.add_argument('--clock', choices=['wall', 'cpu'], default='wall',
                        help='cpu = process CPU time (all threads), steadier on a shared machine')
    args = parser.parse_args()
    load_package_twins()
    if args.threads > 0:
        torch.set_num_threads(args.threads)
    torch.manual_seed(0)
    wanted = [n for n in args.only.split(',') if n] or list(WORKLOADS)
    out = {}
    for name in wanted:
        if name not in WORKLOADS:
            continue
        clock = time.perf_counter if args.clock == 'wall' else time.process_time
        try:
            out[name] = timed(WORKLOADS[name](), args.runs, args.warmup, clock)
        except Exception as error:
            print(f'[bench/torch] {name}: failed ({error})', file=sys.stderr)
    json.dump({'threads': torch.get_num_threads(), 'torch': torch.__version__, 'workloads': out}, sys.stdout)
    sys.stdout.write('\n')


if __name__ == '__main__':
    main()
