"""PyTorch twins of bench/workloads/divil.ts: one Adam step of the DivIL reproduction model
(MLP 98-64-64-1, projector 64-128-64) on two environments of 256 rows, with the IRMv1 penalty
(closed form, as in the TypeScript code) and optionally the DivIL distance InfoNCE on 64
masked rows per environment (keep 0.2, leading half of the projection zeroed, tau 0.5, all
negatives). Picked up by the bench harness as WORKLOADS.
"""
import torch
import torch.nn.functional as F

ROWS, CONTRAST, DIM, HIDDEN = 256, 64, 98, 64


def _irm_penalty(z, y):
    g = ((torch.sigmoid(z) - y) * z).mean()
    return g * g


def _info_nce(zi, zj, tau=0.5):
    mu = zi.mean(0, keepdim=True)
    a, c = zi - mu, zj - mu
    d_pos = ((a - c) ** 2).sum(1) / (2 * tau)
    d_all = torch.cdist(a, a) ** 2 / (2 * tau)
    b = zi.shape[0]
    neg = (torch.exp(-d_all) * (1 - torch.eye(b))).sum(1)
    return (d_pos + torch.log(neg + torch.exp(-d_pos) + 1e-5)).mean()


def _setup(contrast_weight):
    g = torch.Generator().manual_seed(0)
    envs = [(torch.rand(ROWS, DIM, generator=g), torch.randint(0, 2, (ROWS, 1), generator=g).float()) for _ in range(2)]
    phi = torch.nn.Sequential(torch.nn.Linear(DIM, HIDDEN), torch.nn.ReLU(), torch.nn.Linear(HIDDEN, HIDDEN), torch.nn.ReLU())
    head = torch.nn.Linear(HIDDEN, 1)
    proj = torch.nn.Sequential(torch.nn.Linear(HIDDEN, 2 * HIDDEN), torch.nn.ReLU(), torch.nn.Linear(2 * HIDDEN, HIDDEN))
    params = list(phi.parameters()) + list(head.parameters()) + (list(proj.parameters()) if contrast_weight > 0 else [])
    opt = torch.optim.Adam(params, lr=1e-3, betas=(0.9, 0.999), eps=1e-8)
    lam, l2 = 1e4, 0.00110794568
    feat_mask = torch.ones(1, HIDDEN)
    feat_mask[:, : HIDDEN // 2] = 0

    def step():
        opt.zero_grad(set_to_none=True)
        xs = torch.cat([x for x, _ in envs])
        h = phi(xs)
        z = head(h)
        hs, zs = h.split(ROWS), z.split(ROWS)
        risks = [F.binary_cross_entropy_with_logits(zs[e], envs[e][1]) for e in range(2)]
        penalty = sum(_irm_penalty(zs[e], envs[e][1]) for e in range(2)) / 2
        norm = sum((p ** 2).sum() for p in list(phi.parameters()) + list(head.parameters()))
        loss = (sum(risks) / 2 + l2 * norm + lam * penalty) / lam
        if contrast_weight > 0:
            idx = [torch.randperm(ROWS)[:CONTRAST] for _ in range(2)]
            xv = torch.cat([envs[e][0][idx[e]] * (torch.rand(CONTRAST, DIM) < 0.2).float() for e in range(2)])
            zall = proj(torch.cat([hs[0][idx[0]], hs[1][idx[1]], phi(xv)])) * feat_mask
            parts = zall.split(CONTRAST)
            loss = loss + contrast_weight * (_info_nce(parts[0], parts[2]) + _info_nce(parts[1], parts[3])) / 2
        loss.backward()
        opt.step()
    return step


WORKLOADS = {
    'divil_irm_step': lambda: _setup(0.0),
    'divil_irm_divil_step': lambda: _setup(0.01),
}
