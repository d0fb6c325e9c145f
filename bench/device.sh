#!/usr/bin/env bash
# The GPU figures, on a machine with an NVIDIA GPU whose image has its own Python and CUDA PyTorch but no
# package index (the device tool's machine). The project's other dependencies travel as wheels:
#
#   here, once:  make device-bundle       ->  var/device/wheels (for that machine's Python, DEVICE_PYTHON)
#   there:       bash bench/device.sh     (carrying var/device; $OUT receives results.json and details.json)
#
# It runs the whole `make bench` with that machine's PyTorch, the step "gpu" included. BENCH_ONLY=gpu runs
# that step alone.
set -euo pipefail
python=${PYTHON:-python3}
site=$(mktemp -d)
"$python" -m pip install --quiet --no-index --no-deps --target "$site" var/device/wheels/*.whl
export PYTHONPATH="$site" PYTHONUNBUFFERED=1
"$python" -c 'import torch; print("torch", torch.__version__, "| cuda:", torch.cuda.is_available() and torch.cuda.get_device_name())'
"$python" -m config.launch bench
if [ -n "${OUT:-}" ]; then cp bench/results.json var/bench/details.json "$OUT"/; fi
