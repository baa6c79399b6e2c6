"""PyTorch twin of bench/workloads/mm-graph.ts (`mm-graph-gcn-spmm-1500`).

One full-batch GCN training step on a graph of the size of the spec's NC preset
at N = 1500: 7406 directed edges (random, symmetric), 48 input features (text
32 + image 16), 2 layers with hidden 32, PyG normalisation D^-1/2 (A + I) D^-1/2
as a sparse COO matrix (torch.sparse.mm, like the TS row's CSR multiply),
ReLU, dropout 0.5, cross-entropy on 900 training nodes, one Adam step (lr 0.01).
Loaded by workloads.py.
"""
import torch
import torch.nn.functional as F

N, EDGES, FEATURES, HIDDEN, CLASSES, TRAIN = 1500, 7406, 48, 32, 8, 900


def gcn_spmm_step():
    g = torch.Generator().manual_seed(0)
    src = torch.randint(0, N, (EDGES // 2,), generator=g)
    dst = torch.randint(0, N, (EDGES // 2,), generator=g)
    loops = torch.arange(N)
    rows = torch.cat([src, dst, loops])
    cols = torch.cat([dst, src, loops])
    deg = torch.zeros(N).index_add_(0, rows, torch.ones(rows.numel()))
    values = deg[rows].rsqrt() * deg[cols].rsqrt()
    a_hat = torch.sparse_coo_tensor(torch.stack([rows, cols]), values, (N, N)).coalesce()
    x = torch.rand(N, FEATURES, generator=g)
    labels = torch.randint(0, CLASSES, (N,), generator=g)
    train = torch.randperm(N, generator=g)[:TRAIN]
    l1 = torch.nn.Linear(FEATURES, HIDDEN)
    l2 = torch.nn.Linear(HIDDEN, CLASSES)
    opt = torch.optim.Adam([*l1.parameters(), *l2.parameters()], lr=0.01, betas=(0.9, 0.999), eps=1e-8)

    def step():
        opt.zero_grad(set_to_none=True)
        h = F.dropout(torch.relu(torch.sparse.mm(a_hat, x @ l1.weight.t()) + l1.bias), 0.5, training=True)
        logits = torch.sparse.mm(a_hat, h @ l2.weight.t()) + l2.bias
        F.cross_entropy(logits[train], labels[train]).backward()
        opt.step()
    return step


WORKLOADS = {'mm-graph-gcn-spmm-1500': gcn_spmm_step}
