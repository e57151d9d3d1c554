#!/usr/bin/env python3
# Not part of the build or the tests. PyTorch's step of the same two-layer autoencoder (d = 20,
# Adam, MSE, batch 64) as the lab's, in images/s: the reference of scripts/bench-vs-pytorch.sh
# (CPU, threads = the machine's cores) and of docs/performance.md's GPU figures (CUDA).
#   python benches/torch_reference_step.py [--device cpu|cuda] [--threads N] [--steps N] [--batch N]
# The last line is "torch <device> <threads> threads: <images/s> images/s".
import argparse, os, time
import torch, torch.nn as nn

parser = argparse.ArgumentParser()
parser.add_argument("--device", default="cuda" if torch.cuda.is_available() else "cpu")
parser.add_argument("--threads", type=int, default=os.cpu_count())
parser.add_argument("--steps", type=int, default=300)
parser.add_argument("--batch", type=int, default=64)
args = parser.parse_args()
torch.set_num_threads(args.threads)
dev = args.device
sync = torch.cuda.synchronize if dev == "cuda" else (lambda: None)

d = 20
enc = nn.Sequential(nn.Conv2d(1, 18, 5, 2), nn.BatchNorm2d(18), nn.ReLU(), nn.Conv2d(18, 36, 3, 2),
                    nn.BatchNorm2d(36), nn.ReLU(), nn.Flatten(), nn.Linear(900, d), nn.ReLU())
dec = nn.Sequential(nn.Linear(d, 900), nn.ReLU(), nn.Unflatten(1, (36, 5, 5)),
                    nn.ConvTranspose2d(36, 18, 3, 2, output_padding=1), nn.BatchNorm2d(18), nn.ReLU(),
                    nn.ConvTranspose2d(18, 1, 5, 2, output_padding=1), nn.Sigmoid())
m = nn.Sequential(enc, dec).to(dev)
print("params", sum(p.numel() for p in m.parameters()))
opt = torch.optim.Adam(m.parameters(), 1e-3)
x = torch.rand(args.batch, 1, 28, 28, device=dev)


def step():
    opt.zero_grad()
    loss = ((m(x) - x) ** 2).mean()
    loss.backward()
    opt.step()
    return loss


for _ in range(50):
    step()
sync()
t = time.perf_counter()
for _ in range(args.steps):
    step()
sync()
dt = time.perf_counter() - t
print(f"{args.steps} steps, {dt / args.steps * 1e3:.3f} ms/step")
print(f"torch {dev} {args.threads} threads: {args.batch * args.steps / dt:.0f} images/s")
