"""PyTorch twins of bench/workloads/baldistill.ts (same shapes, same optimizer).

WORKLOADS maps each key to a setup function returning a step callable, in the style of workloads.py.
"""
import torch
import torch.nn.functional as F


def _mlp(g):
    torch.manual_seed(int(torch.randint(0, 2**31 - 1, (1,), generator=g)))
    return torch.nn.Sequential(torch.nn.Linear(24, 64), torch.nn.ReLU(), torch.nn.Linear(64, 64), torch.nn.ReLU(), torch.nn.Linear(64, 8))


def _inputs(g, n):
    x = torch.randn(n, 16, generator=g)
    d = torch.randint(0, 8, (n,), generator=g)
    return torch.cat([x, F.one_hot(d, 8).float()], 1)


def student_step():
    g = torch.Generator().manual_seed(3)
    net = _mlp(g)
    x = _inputs(g, 32)
    r = torch.randint(0, 4, (32,), generator=g)
    a = torch.randint(0, 4, (32,), generator=g)
    opt = torch.optim.Adam(net.parameters(), lr=3e-3, betas=(0.9, 0.999), eps=1e-8)

    def step():
        opt.zero_grad(set_to_none=True)
        logits = net(x)
        (F.cross_entropy(logits[:, :4], r) + F.cross_entropy(logits[:, 4:], a)).backward()
        opt.step()
    return step


def ifd_pool():
    g = torch.Generator().manual_seed(4)
    net = _mlp(g)
    x = _inputs(g, 1423)
    null = torch.zeros(1423, 24)

    def step():
        with torch.no_grad():
            lp = F.log_softmax(net(x)[:, 4:], 1)
            y = lp.argmax(1, keepdim=True)
            lp0 = F.log_softmax(net(null)[:, 4:], 1)
            ifd = torch.exp(lp0.gather(1, y) - lp.gather(1, y)).squeeze(1)
            ifd.numpy()
    return step


WORKLOADS = {
    'baldistill-student-step': student_step,
    'baldistill-ifd-pool': ifd_pool,
}
