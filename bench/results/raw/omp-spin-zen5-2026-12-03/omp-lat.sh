#!/usr/bin/env bash
# Photo latency with the product's defaults (Auto precision, default detector), in-product spin setting vs libgomp's default.
cd /work/main
for rep in ${REPS:-1 2 3 4}; do
for s in product gomp300k; do
  case $s in product) e=();; gomp300k) e=(GOMP_SPINCOUNT=300000);; esac
  env "${e[@]}" dotnet bench/Mien.Bench/bin/Release/net10.0/Mien.Bench.dll latency --work /tmp/lat-$s --photo ../shared/data/photos/astronaut.png --model models/mien-default.mien \
    --detectors tiny+haar-alt --sides 640 --threads 2,1 --warmup 5 --runs 100 --out /work/ompab/lat-$s-$rep.json > /work/ompab/lat-$s-$rep.log 2>&1
  grep -h 'end-to-end' /work/ompab/lat-$s-$rep.log | sed "s/^/$s-$rep /"
done; done
