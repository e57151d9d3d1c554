#!/usr/bin/env python3
# Not part of the build or the tests: run by hand on a machine with PyTorch and a GPU, to put
# the wgpu figures of benches/train_step.rs (docs/performance.md) beside a reference framework.
# Reference: the same two-layer autoencoder (d=20) in PyTorch, one Adam step at batch 64, images/s.
import time, torch, torch.nn as nn
dev = "cuda"
d = 20
enc = nn.Sequential(nn.Conv2d(1,18,5,2), nn.BatchNorm2d(18), nn.ReLU(), nn.Conv2d(18,36,3,2), nn.BatchNorm2d(36), nn.ReLU(), nn.Flatten(), nn.Linear(900,d), nn.ReLU())
dec = nn.Sequential(nn.Linear(d,900), nn.ReLU(), nn.Unflatten(1,(36,5,5)), nn.ConvTranspose2d(36,18,3,2,output_padding=1), nn.BatchNorm2d(18), nn.ReLU(), nn.ConvTranspose2d(18,1,5,2,output_padding=1), nn.Sigmoid())
m = nn.Sequential(enc, dec).to(dev)
print("params", sum(p.numel() for p in m.parameters()))
opt = torch.optim.Adam(m.parameters(), 1e-3)
x = torch.rand(64,1,28,28, device=dev)
def step():
    opt.zero_grad(); l = ((m(x)-x)**2).mean(); l.backward(); opt.step(); return l
for _ in range(50): step()
torch.cuda.synchronize()
for n in (200, 1000):
    t = time.perf_counter()
    for _ in range(n): step()
    torch.cuda.synchronize()
    dt = time.perf_counter() - t
    print(f"torch cuda eager: {n} steps, {dt/n*1e3:.3f} ms/step, {64*n/dt:.0f} images/s")
