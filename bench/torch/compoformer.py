"""PyTorch twin of bench/workloads/compoformer.ts: one CompoFormer-Prune module
training step on the ocw-mini model (DT trunk D 32, 2 pre-LN blocks, 2 heads,
K 5 steps = 15 tokens, batch 32). Owned trunk weights enter as constants
(frozen + W * free), the composed feature of the frozen modules is a cached
tensor, then the fusion head Linear(2D->D) -> GELU -> LayerNorm -> Linear(D->A),
action MSE, clip_grad_norm 1 and Adam lr 1e-3.
"""
import math

import torch
import torch.nn.functional as F

B, K, S, A, D, L, H, FF = 32, 5, 8, 2, 32, 2, 2, 128


def _trunk_shapes():
    shapes = {'embed_state/kernel': (S, D), 'embed_state/bias': (D,), 'embed_action/kernel': (A, D), 'embed_action/bias': (D,),
              'embed_return/kernel': (1, D), 'embed_return/bias': (D,), 'embed_ln/gamma': (D,), 'embed_ln/beta': (D,)}
    for l in range(L):
        p = f'block{l}/'
        shapes.update({p + 'ln1/gamma': (D,), p + 'ln1/beta': (D,), p + 'ln2/gamma': (D,), p + 'ln2/beta': (D,)})
        for name, (i, o) in {'query': (D, D), 'key': (D, D), 'value': (D, D), 'output': (D, D), 'fc1': (D, FF), 'fc2': (FF, D)}.items():
            shapes[p + name + '/kernel'] = (i, o)
            shapes[p + name + '/bias'] = (o,)
    shapes.update({'final_ln/gamma': (D,), 'final_ln/beta': (D,)})
    return shapes


def _features(p, time_table, states, actions, returns, timesteps):
    t_emb = time_table[timesteps]
    r = returns @ p['embed_return/kernel'] + p['embed_return/bias'] + t_emb
    s = states @ p['embed_state/kernel'] + p['embed_state/bias'] + t_emb
    a = actions @ p['embed_action/kernel'] + p['embed_action/bias'] + t_emb
    h = torch.stack([r, s, a], dim=2).reshape(B, 3 * K, D)
    h = F.layer_norm(h, (D,), p['embed_ln/gamma'], p['embed_ln/beta'])
    T = 3 * K
    causal = torch.triu(torch.full((T, T), -1e9), diagonal=1)
    dh = D // H
    for l in range(L):
        q_ = f'block{l}/'
        n1 = F.layer_norm(h, (D,), p[q_ + 'ln1/gamma'], p[q_ + 'ln1/beta'])
        heads = lambda x: x.reshape(B, T, H, dh).transpose(1, 2)
        q = heads(n1 @ p[q_ + 'query/kernel'] + p[q_ + 'query/bias'])
        k = heads(n1 @ p[q_ + 'key/kernel'] + p[q_ + 'key/bias'])
        v = heads(n1 @ p[q_ + 'value/kernel'] + p[q_ + 'value/bias'])
        att = torch.softmax(q @ k.transpose(-1, -2) / math.sqrt(dh) + causal, dim=-1)
        ctx = (att @ v).transpose(1, 2).reshape(B, T, D)
        h = h + ctx @ p[q_ + 'output/kernel'] + p[q_ + 'output/bias']
        n2 = F.layer_norm(h, (D,), p[q_ + 'ln2/gamma'], p[q_ + 'ln2/beta'])
        h = h + torch.relu(n2 @ p[q_ + 'fc1/kernel'] + p[q_ + 'fc1/bias']) @ p[q_ + 'fc2/kernel'] + p[q_ + 'fc2/bias']
    h = F.layer_norm(h, (D,), p['final_ln/gamma'], p['final_ln/beta'])
    return h.reshape(B, K, 3, D)[:, :, 1]


def compoformer_prune_step():
    g = torch.Generator().manual_seed(0)
    shapes = _trunk_shapes()
    weights = {n: torch.nn.Parameter(torch.randn(*s, generator=g) * 0.1) for n, s in shapes.items()}
    free = {n: (torch.rand(*s, generator=g) < 0.5).float() for n, s in shapes.items()}
    frozen = {n: (w.detach() * (1 - free[n])) for n, w in weights.items()}
    time_table = torch.randn(64, D, generator=g) * 0.02
    fusion = torch.nn.Sequential(torch.nn.Linear(2 * D, D), torch.nn.GELU(), torch.nn.LayerNorm(D), torch.nn.Linear(D, A))
    states = torch.randn(B, K, S, generator=g)
    actions = torch.rand(B, K, A, generator=g) * 2 - 1
    returns = torch.rand(B, K, 1, generator=g)
    timesteps = torch.arange(B * K).reshape(B, K) % K
    composed = torch.randn(B, K, D, generator=g)
    params = list(weights.values()) + list(fusion.parameters())
    opt = torch.optim.Adam(params, lr=1e-3)

    def step():
        opt.zero_grad(set_to_none=True)
        view = {n: frozen[n] + weights[n] * free[n] for n in weights}
        phi = _features(view, time_table, states, actions, returns, timesteps)
        pred = fusion(torch.cat([composed, phi], dim=-1))
        F.mse_loss(pred, actions).backward()
        torch.nn.utils.clip_grad_norm_(params, 1.0)
        opt.step()
    return step


WORKLOADS = {'compoformer-prune-step': compoformer_prune_step}

if __name__ == '__main__':
    import time
    step = compoformer_prune_step()
    for _ in range(5):
        step()
    t = time.perf_counter()
    for _ in range(20):
        step()
    print(f'compoformer-prune-step {1000 * (time.perf_counter() - t) / 20:.2f} ms')
