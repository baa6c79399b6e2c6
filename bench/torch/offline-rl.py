"""PyTorch twins of bench/workloads/offline-rl.ts: the Decision Transformer of harmodt.md S1/S5
(D 32, L 2, H 2, FFN 128 ReLU, K 5, tokens (R, s, a) + timestep embedding, LayerNorm, tanh head
on the state tokens), one clipped Adam step on 32 windows, and one batched evaluator forward.
WORKLOADS maps a key to a setup function returning the step callable (bench/torch/workloads.py style).
"""
import torch
import torch.nn.functional as F

S, A, K, D, H, L, FFN, T_MAX = 8, 2, 5, 32, 2, 2, 128, 40


class Block(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.ln1 = torch.nn.LayerNorm(D)
        self.q, self.k, self.v, self.o = (torch.nn.Linear(D, D) for _ in range(4))
        self.ln2 = torch.nn.LayerNorm(D)
        self.fc1 = torch.nn.Linear(D, FFN)
        self.fc2 = torch.nn.Linear(FFN, D)

    def forward(self, h, mask):
        b, t, _ = h.shape
        x = self.ln1(h)
        split = lambda y: y.view(b, t, H, D // H).transpose(1, 2)
        q, k, v = split(self.q(x)), split(self.k(x)), split(self.v(x))
        att = torch.softmax(q @ k.transpose(-1, -2) / (D // H) ** 0.5 + mask, -1)
        h = h + self.o((att @ v).transpose(1, 2).reshape(b, t, D))
        return h + self.fc2(torch.relu(self.fc1(self.ln2(h))))


class DT(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.er, self.es, self.ea = torch.nn.Linear(1, D), torch.nn.Linear(S, D), torch.nn.Linear(A, D)
        self.et = torch.nn.Embedding(T_MAX, D)
        self.ln = torch.nn.LayerNorm(D)
        self.blocks = torch.nn.ModuleList([Block() for _ in range(L)])
        self.lnf = torch.nn.LayerNorm(D)
        self.head = torch.nn.Linear(D, A)
        self.register_buffer('causal', torch.triu(torch.full((3 * K, 3 * K), -1e9), diagonal=1))

    def forward(self, rtg, s, a, t):
        b = s.shape[0]
        te = self.et(t)
        tokens = torch.stack([self.er(rtg) + te, self.es(s) + te, self.ea(a) + te], 2).reshape(b, 3 * K, D)
        h = self.ln(tokens)
        for blk in self.blocks:
            h = blk(h, self.causal)
        h = self.lnf(h).view(b, K, 3, D)[:, :, 1]
        return torch.tanh(self.head(h))


def batch(b, seed=1):
    g = torch.Generator().manual_seed(seed)
    return (torch.rand(b, K, 1, generator=g), torch.randn(b, K, S, generator=g),
            torch.rand(b, K, A, generator=g) * 2 - 1, torch.randint(0, T_MAX - K, (b, 1), generator=g) + torch.arange(K))


def dt_step():
    torch.manual_seed(0)
    model = DT()
    opt = torch.optim.Adam(model.parameters(), lr=1e-3, betas=(0.9, 0.999), eps=1e-8)
    rtg, s, a, t = batch(32)

    def step():
        opt.zero_grad(set_to_none=True)
        loss = ((model(rtg, s, a, t) - a) ** 2).sum(-1).mean()
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        opt.step()
    return step


def dt_eval_forward():
    torch.manual_seed(0)
    model = DT()
    rtg, s, a, t = batch(120)

    def step():
        with torch.no_grad():
            model(rtg, s, a, t)[:, -1]
    return step


WORKLOADS = {'offline-rl-dt-step': dt_step, 'dt-eval-forward': dt_eval_forward}
