#!/usr/bin/env bash
# Make AutoGluon's own virtual environment for the benchmark's `autogluon` peer.
# AutoGluon 1.6 pins pandas < 2.4 and automodel needs pandas >= 3.1, so the peer runs in
# this environment (benchmarks/autogluon_job.py), never in automodel's.
#   bash benchmarks/setup_autogluon.sh [DIR]     (default DIR: .venv-autogluon)
# Then: python -m benchmarks run --systems autogluon --jobs 1 ...
# (AUTOMODEL_AUTOGLUON_PYTHON=DIR/bin/python when DIR is not the default.)
set -euo pipefail
cd "$(dirname "$0")/.."
dir=${1:-.venv-autogluon}
python3 -m venv "$dir"
"$dir/bin/python" -m pip install --quiet --upgrade pip
# The CPU build of torch first, so pip does not resolve the CUDA wheels (about 6 GB).
"$dir/bin/python" -m pip install --quiet torch==2.13.0
"$dir/bin/python" -m pip install --quiet "autogluon.tabular[all]==1.6.3"
echo "AutoGluon's interpreter: $dir/bin/python"
