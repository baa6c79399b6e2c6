"""PyTorch twin of bench/workloads/harmodt.ts: one HarmoDT inner step (harmodt.md S2,
prompt_seq_trainer.train_step_mix): load theta * m_i on the block kernels, clipped gradient,
grads * m_i, AdamW, restore the coordinates task i does not own. Same DT as offline-rl.py.
"""
import importlib.util
import os

import torch

_spec = importlib.util.spec_from_file_location('offline_rl_twin', os.path.join(os.path.dirname(__file__), 'offline-rl.py'))
_dt = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(_dt)


def harmodt_masked_step():
    torch.manual_seed(0)
    model = _dt.DT()
    opt = torch.optim.AdamW(model.parameters(), lr=1e-3, weight_decay=1e-4)
    maskable = [p for n, p in model.named_parameters() if n.startswith('blocks') and n.endswith('weight') and p.dim() == 2]
    g = torch.Generator().manual_seed(2)
    masks = [(torch.rand(p.shape, generator=g) < 0.8).float() for p in maskable]
    rtg, s, a, t = _dt.batch(32)

    def step():
        saved = [p.detach().clone() for p in maskable]
        with torch.no_grad():
            for p, m in zip(maskable, masks):
                p.mul_(m)
        opt.zero_grad(set_to_none=True)
        loss = ((model(rtg, s, a, t) - a) ** 2).sum(-1).mean()
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        for p, m in zip(maskable, masks):
            p.grad.mul_(m)
        opt.step()
        with torch.no_grad():
            for p, m, old in zip(maskable, masks, saved):
                p.copy_(p * m + old * (1 - m))
    return step


WORKLOADS = {'harmodt-masked-step': harmodt_masked_step}
