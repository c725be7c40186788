#!/usr/bin/env bash
# A/B of OpenMP wait settings: photo latency (default detector) and batch-64 throughput, LibTorch fp32/bf16.
cd /work/main
W=/tmp/ompab; mkdir -p $W /work/ompab
for rep in ${REPS:-1 2}; do
for s in ${SETS:-default spin20000 spin2000 passive}; do
  case $s in default) e=();; product) e=();; gomp300k) e=(GOMP_SPINCOUNT=300000);; spin20000) e=(GOMP_SPINCOUNT=20000);; spin2000) e=(GOMP_SPINCOUNT=2000);; spin500) e=(GOMP_SPINCOUNT=500);; spin0) e=(GOMP_SPINCOUNT=0);; passive) e=(OMP_WAIT_POLICY=PASSIVE);; esac
  env "${e[@]}" dotnet bench/Mien.Bench/bin/Release/net10.0/Mien.Bench.dll speed --data ../shared/data/fer2013.zip --work $W --threads 2 --batch 64 --images 2048 --warmup 5 --runs 7 \
  --infer-iters 20 --presets "" --engines torch-fp32,torch-bf16 --engine-model models/mien-default.mien \
  --photo ../shared/data/photos/astronaut.png --engine-latency-runs 100 \
  --engine-detector tiny+haar-alt --out /work/ompab/$s-$rep.json > /work/ompab/$s-$rep.log 2>&1
done; done
