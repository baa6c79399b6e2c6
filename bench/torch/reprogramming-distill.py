"""PyTorch twins of bench/workloads/reprogramming-distill.ts.

One RD co-training Adam step on cached teacher features: student MLP 64-32-32 (ReLU
features), reprogrammer 64-64-32, shared classifier 32->3, loss
CE(C(h_S)) + 0.5 CE(C(R(h_T))) + 0.5 tau^2 KL(p_T || p_S) + (1 - linear CKA(R(h_T), h_S)), tau 4,
gradients into both sides (co-training). Same shapes and loss as the TypeScript flavour.
"""
import torch
import torch.nn.functional as F


def linear_cka(x, y):
    # Centre columns, scale to unit Frobenius norm, feature form ||Y'X||^2 / (||X'X|| ||Y'Y||).
    x = x - x.mean(0, keepdim=True)
    y = y - y.mean(0, keepdim=True)
    x = x * torch.rsqrt((x * x).sum() + 1e-12)
    y = y * torch.rsqrt((y * y).sum() + 1e-12)
    hxy = (y.t() @ x).square().sum()
    hxx = (x.t() @ x).square().sum()
    hyy = (y.t() @ y).square().sum()
    return hxy / torch.sqrt(torch.clamp(hxx.relu() * hyy.relu(), min=1e-30))


def rd_step(batch):
    def setup():
        g = torch.Generator().manual_seed(31)
        x = torch.rand(batch, 64, generator=g) * 2 - 1
        h_t = torch.rand(batch, 64, generator=g)
        y = torch.randint(0, 3, (batch,), generator=g)
        student = torch.nn.Sequential(torch.nn.Linear(64, 32), torch.nn.ReLU(), torch.nn.Linear(32, 32), torch.nn.ReLU())
        reprogrammer = torch.nn.Sequential(torch.nn.Linear(64, 64), torch.nn.ReLU(), torch.nn.Linear(64, 32))
        classifier = torch.nn.Linear(32, 3)
        params = [*student.parameters(), *reprogrammer.parameters(), *classifier.parameters()]
        opt = torch.optim.Adam(params, lr=3e-3, betas=(0.9, 0.999), eps=1e-8)
        tau = 4.0

        def step():
            opt.zero_grad(set_to_none=True)
            h_s = student(x)
            h_r = reprogrammer(h_t)
            z_s = classifier(h_s)
            z_t = classifier(h_r)
            log_pt = F.log_softmax(z_t / tau, -1)
            log_ps = F.log_softmax(z_s / tau, -1)
            kl = (log_pt.exp() * (log_pt - log_ps)).sum(-1).mean() * tau * tau
            loss = F.cross_entropy(z_s, y) + 0.5 * F.cross_entropy(z_t, y) + 0.5 * kl + (1 - linear_cka(h_r, h_s))
            loss.backward()
            opt.step()
            loss.item()
        return step
    return setup


WORKLOADS = {
    'rd-step-b64': rd_step(64),
    'rd-step-b512': rd_step(512),
}


if __name__ == '__main__':
    import time
    torch.set_num_threads(1)
    for name, setup in WORKLOADS.items():
        step = setup()
        for _ in range(5):
            step()
        start = time.perf_counter()
        for _ in range(50):
            step()
        print(name, f'{(time.perf_counter() - start) / 50 * 1000:.3f} ms/step')
