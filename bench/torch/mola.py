"""PyTorch twins of bench/workloads/mola.ts: one Adam step of the spec-section-5
model (12 -> 32 -> 32 ReLU, four per-domain heads, rank-4 adapters with
alpha 16 on both hidden layers, batch 256 of four domains), as MoLA-Grad
(adapter and head by task id) and as MoLA-Router + TwD (router MLP 12-16-4
mixing adapters and heads; TwD = supervised contrastive over the projected,
normalised router logits, mean over ordered same-task pairs, tau 0.3, weight 1).
Same batched form as the TypeScript side: stacked A/B with a gate mask.
"""
import torch
import torch.nn.functional as F

K, D, B, H, C, R, ALPHA = 4, 12, 256, 32, 4, 4, 16.0


class MixLoRALinear(torch.nn.Module):
    def __init__(self, din, dout):
        super().__init__()
        self.base = torch.nn.Linear(din, dout)
        self.a = torch.nn.Parameter(torch.empty(din, K * R).uniform_(-1 / din ** 0.5, 1 / din ** 0.5))
        self.b = torch.nn.Parameter(torch.zeros(K * R, dout))
        self.register_buffer('expand', torch.repeat_interleave(torch.eye(K), R, dim=1))

    def forward(self, x, gates):
        return self.base(x) + (ALPHA / R) * (((x @ self.a) * (gates @ self.expand)) @ self.b)


class Mola(torch.nn.Module):
    def __init__(self, router):
        super().__init__()
        self.l1 = MixLoRALinear(D, H)
        self.l2 = MixLoRALinear(H, H)
        self.heads = torch.nn.Linear(H, K * C)
        self.router = torch.nn.Sequential(torch.nn.Linear(D, 16), torch.nn.ReLU(), torch.nn.Linear(16, K)) if router else None
        self.proj = torch.nn.Linear(K, 32) if router else None

    def forward(self, x, task_rows):
        scores = self.router(x) if self.router is not None else None
        gates = torch.softmax(scores, -1) if scores is not None else task_rows
        h = F.relu(self.l2(F.relu(self.l1(x, gates)), gates))
        logits = (self.heads(h).view(-1, K, C) * gates.unsqueeze(-1)).sum(1)
        return logits, scores


def twd(scores, task, proj, tau):
    u = F.normalize(proj(scores), dim=-1)
    s = u @ u.t() / tau
    eye = torch.eye(len(task))
    log_den = torch.log((torch.exp(s - 1 / tau) * (1 - eye)).sum(-1, keepdim=True)) + 1 / tau
    pos = (task[:, None] == task[None, :]).float() - eye
    return -(pos * (s - log_den)).sum() / pos.sum()


def setup(router):
    def make():
        g = torch.Generator().manual_seed(0)
        x = torch.randn(B, D, generator=g)
        task = torch.arange(B) % K
        y = torch.randint(0, C, (B,), generator=g)
        rows = F.one_hot(task, K).float()
        w = rows / rows.sum(0, keepdim=True)  # task-mean weights: L = sum_t mean CE of task t
        model = Mola(router)
        opt = torch.optim.Adam(model.parameters(), lr=3e-3)

        def step():
            opt.zero_grad(set_to_none=True)
            logits, scores = model(x, rows)
            ce = F.cross_entropy(logits, y, reduction='none')
            loss = (ce[:, None] * w).sum()
            if router:
                loss = loss + 1.0 * twd(scores, task, model.proj, 0.3)
            loss.backward()
            opt.step()
        return step
    return make


WORKLOADS = {
    'mola-grad-step': setup(False),
    'mola-router-twd-step': setup(True),
}

if __name__ == '__main__':
    import time
    for name, make in WORKLOADS.items():
        step = make()
        for _ in range(5):
            step()
        t = time.perf_counter()
        for _ in range(20):
            step()
        print(name, f'{(time.perf_counter() - t) / 20 * 1000:.2f} ms')
