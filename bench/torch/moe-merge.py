"""PyTorch twin of bench/workloads/moe-merge.ts (`moe-merge-tiny-llama-step`).

One Adam step (lr 3e-3) of the moe-merge spec's tiny Llama: vocabulary 32,
hidden 32, 2 layers, grouped-query attention with 4 query / 2 key-value heads
of size 8, RoPE (theta 1e4), RMSNorm (eps 1e-6), SwiGLU MLP 64, untied LM head,
no biases; next-token cross-entropy on a batch of 32 x 24 tokens (the first 23
positions). Loaded by workloads.py.
"""
import torch
import torch.nn.functional as F

V, H, I, LAYERS, HEADS, KV, HD, B, T = 32, 32, 64, 2, 4, 2, 8, 32, 24


class RMSNorm(torch.nn.Module):
    def __init__(self, d, eps=1e-6):
        super().__init__()
        self.weight = torch.nn.Parameter(torch.ones(d))
        self.eps = eps

    def forward(self, x):
        return x * torch.rsqrt(x.pow(2).mean(-1, keepdim=True) + self.eps) * self.weight


def rope_tables(t, d, theta=10000.0):
    inv = 1.0 / theta ** (torch.arange(0, d, 2).float() / d)
    angles = torch.outer(torch.arange(t).float(), inv)
    emb = torch.cat([angles, angles], -1)
    return emb.cos(), emb.sin()


def rotate(x, cos, sin):
    half = x.shape[-1] // 2
    rotated = torch.cat([-x[..., half:], x[..., :half]], -1)
    return x * cos + rotated * sin


class Layer(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.norm1, self.norm2 = RMSNorm(H), RMSNorm(H)
        self.q = torch.nn.Linear(H, HEADS * HD, bias=False)
        self.k = torch.nn.Linear(H, KV * HD, bias=False)
        self.v = torch.nn.Linear(H, KV * HD, bias=False)
        self.o = torch.nn.Linear(HEADS * HD, H, bias=False)
        self.gate = torch.nn.Linear(H, I, bias=False)
        self.up = torch.nn.Linear(H, I, bias=False)
        self.down = torch.nn.Linear(I, H, bias=False)

    def forward(self, h, cos, sin, mask):
        b, t, _ = h.shape
        x = self.norm1(h)
        q = rotate(self.q(x).view(b, t, HEADS, HD).transpose(1, 2), cos, sin)
        k = rotate(self.k(x).view(b, t, KV, HD).transpose(1, 2), cos, sin).repeat_interleave(HEADS // KV, 1)
        v = self.v(x).view(b, t, KV, HD).transpose(1, 2).repeat_interleave(HEADS // KV, 1)
        att = (q @ k.transpose(-1, -2) / HD ** 0.5 + mask).softmax(-1) @ v
        h = h + self.o(att.transpose(1, 2).reshape(b, t, HEADS * HD))
        x = self.norm2(h)
        return h + self.down(F.silu(self.gate(x)) * self.up(x))


def tiny_llama_step():
    g = torch.Generator().manual_seed(1)
    ids = torch.randint(0, V, (B, T), generator=g)
    targets = ids[:, 1:].reshape(-1)
    embed = torch.nn.Embedding(V, H)
    layers = torch.nn.ModuleList([Layer() for _ in range(LAYERS)])
    final, lm_head = RMSNorm(H), torch.nn.Linear(H, V, bias=False)
    params = [*embed.parameters(), *layers.parameters(), *final.parameters(), *lm_head.parameters()]
    opt = torch.optim.Adam(params, lr=3e-3, betas=(0.9, 0.999), eps=1e-8)
    cos, sin = rope_tables(T, HD)
    mask = torch.triu(torch.full((T, T), -1e9), diagonal=1)

    def step():
        opt.zero_grad(set_to_none=True)
        h = embed(ids)
        for layer in layers:
            h = layer(h, cos, sin, mask)
        logits = lm_head(final(h))[:, :-1].reshape(-1, V)
        F.cross_entropy(logits, targets).backward()
        opt.step()
    return step


WORKLOADS = {'moe-merge-tiny-llama-step': tiny_llama_step}
