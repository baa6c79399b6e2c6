"""PyTorch twin of bench/workloads/lorkd.ts (`lorkd-eks-step`).

One Adam step (lr 3e-3) of the LoRKD student: MLP 32-32-32-16 (ReLU) with
rank-4 LoRA experts for each of 4 tasks on both hidden layers, applied by
efficient knowledge separation (one masked pass: y = x W0 + b + ((x A_all) * M) B_all,
M = alpha / r in the sample's task block), loss = cross-entropy on the logits
restricted to the sample's task block + 1.0 * Hinton KD (tau 4, batchmean, teacher
restricted the same way), batch 128. Loaded by workloads.py.
"""
import torch
import torch.nn.functional as F

T, C, D, B, R, ALPHA = 4, 4, 32, 128, 4, 4.0


class ExpertDense(torch.nn.Module):
    def __init__(self, d_in, d_out):
        super().__init__()
        self.base = torch.nn.Linear(d_in, d_out)
        self.a = torch.nn.Parameter(torch.randn(d_in, T * R) * 0.01)
        self.b = torch.nn.Parameter(torch.zeros(T * R, d_out))

    def forward(self, x, mask):
        return self.base(x) + ((x @ self.a) * mask) @ self.b


def eks_step():
    g = torch.Generator().manual_seed(0)
    tasks = torch.randint(0, T, (B,), generator=g)
    x = torch.randn(B, D, generator=g)
    labels = tasks * C + torch.randint(0, C, (B,), generator=g)
    teacher = torch.randn(B, T * C, generator=g)
    rank_mask = torch.zeros(B, T * R)
    block = torch.zeros(B, T * C)
    for i, t in enumerate(tasks.tolist()):
        rank_mask[i, t * R:(t + 1) * R] = ALPHA / R
        block[i, t * C:(t + 1) * C] = 1.0
    l1, l2, out = ExpertDense(D, 32), ExpertDense(32, 32), torch.nn.Linear(32, T * C)
    params = [*l1.parameters(), *l2.parameters(), *out.parameters()]
    opt = torch.optim.Adam(params, lr=3e-3, betas=(0.9, 0.999), eps=1e-8)
    restrict = lambda z: z * block + (block - 1) * 1e9
    tau = 4.0
    teacher_logp = F.log_softmax(restrict(teacher) / tau, -1)

    def step():
        opt.zero_grad(set_to_none=True)
        h = torch.relu(l1(x, rank_mask))
        h = torch.relu(l2(h, rank_mask))
        student = restrict(out(h))
        task = F.cross_entropy(student, labels)
        kd = (teacher_logp.exp() * (teacher_logp - F.log_softmax(student / tau, -1))).sum(-1).mean() * tau * tau
        (task + kd).backward()
        opt.step()
    return step


WORKLOADS = {'lorkd-eks-step': eks_step}
