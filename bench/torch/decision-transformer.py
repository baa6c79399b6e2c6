"""PyTorch twin of bench/workloads/decision-transformer.ts (`dt-step`).

A Decision Transformer training step (Chen et al. 2021) at the harmodt spec's
CPU size: D 32, 2 pre-LN blocks, 2 heads, FFN 128 with ReLU, no dropout, K 5
steps = 15 tokens (return-to-go, state, action), batch 32, state dim 8, action
dim 2; linear token embeddings plus a learned timestep embedding, LayerNorm,
causal attention, final LayerNorm, tanh action head on the state tokens, action
MSE, one Adam step (lr 1e-3). Loaded by workloads.py.
"""

import torch
import torch.nn.functional as F

from workloads import Block  # this folder is on sys.path: workloads.py is the script that loads this file

B, K, D, STATE, ACT, MAX_T = 32, 5, 32, 8, 2, 100


def dt_step():
    g = torch.Generator().manual_seed(61)
    returns = torch.rand(B, K, 1, generator=g) * 2
    states = torch.rand(B, K, STATE, generator=g) * 2 - 1
    actions = torch.rand(B, K, ACT, generator=g) * 2 - 1
    timesteps = torch.randint(0, MAX_T - K, (B, K), generator=g)
    embed_return = torch.nn.Linear(1, D)
    embed_state = torch.nn.Linear(STATE, D)
    embed_action = torch.nn.Linear(ACT, D)
    embed_timestep = torch.nn.Embedding(MAX_T, D)
    embed_ln = torch.nn.LayerNorm(D)
    blocks = torch.nn.ModuleList([Block(D, 2, 4 * D, activation=torch.relu) for _ in range(2)])
    final_ln = torch.nn.LayerNorm(D)
    head = torch.nn.Linear(D, ACT)
    modules = [embed_return, embed_state, embed_action, embed_timestep, embed_ln, blocks, final_ln, head]
    params = [p for m in modules for p in m.parameters()]
    opt = torch.optim.Adam(params, lr=1e-3, betas=(0.9, 0.999), eps=1e-8)
    mask = torch.triu(torch.full((3 * K, 3 * K), -1e9), diagonal=1)

    def step():
        opt.zero_grad(set_to_none=True)
        time = embed_timestep(timesteps)
        tokens = torch.stack([embed_return(returns) + time, embed_state(states) + time, embed_action(actions) + time], dim=2)
        h = embed_ln(tokens.reshape(B, 3 * K, D))
        for blk in blocks:
            h = blk(h, mask)
        h = final_ln(h).reshape(B, K, 3, D)[:, :, 1]
        F.mse_loss(torch.tanh(head(h)), actions).backward()
        opt.step()
    return step


WORKLOADS = {'dt-step': dt_step}
