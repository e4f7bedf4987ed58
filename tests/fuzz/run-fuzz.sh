#!/bin/sh
# run-fuzz.sh TARGET DICT SEEDS WORKDIR SECONDS: fuzz briefly from the seed corpus. New inputs
# and any crash go to WORKDIR, never into the source tree.
set -eu
target=$1 dict=$2 seeds=$3 work=$4 seconds=$5
mkdir -p "$work/corpus"
exec "$target" -max_total_time="$seconds" -rss_limit_mb=2048 -timeout=10 -print_final_stats=1 \
  -error_exitcode=1 -timeout_exitcode=1 -dict="$dict" -artifact_prefix="$work/" "$work/corpus" "$seeds"
