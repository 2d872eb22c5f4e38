#!/usr/bin/env bash
# Prints a PYTHONPATH entry from which python3 imports opt_einsum (nothing when it is importable as installed),
# or exits 1. opt_einsum is pure Python: a wheel is importable straight from its zip file, a Debian package
# from its unpacked dist-packages folder. Use: export PYTHONPATH="$(bench/compare/find_opt_einsum.sh)${PYTHONPATH:+:$PYTHONPATH}"
set -u
if python3 -c 'import opt_einsum' 2>/dev/null; then exit 0; fi
for cand in ${OPT_EINSUM_PATH:-} /opt/pypi/files/opt_einsum-*.whl /opt/wheels/opt_einsum-*.whl \
            /usr/lib/python3/dist-packages "${TMPDIR:-/tmp}"/opt-einsum-deb/usr/lib/python3/dist-packages; do
  [ -e "$cand" ] || continue
  if PYTHONPATH="$cand" python3 -c 'import opt_einsum' 2>/dev/null; then echo "$cand"; exit 0; fi
done
# Debian's package, unpacked (not installed: the system python3 is not necessarily the one on the PATH)
if command -v apt-get >/dev/null; then
  d="${TMPDIR:-/tmp}/opt-einsum-deb"
  mkdir -p "$d" && (cd "$d" && apt-get download python3-opt-einsum >/dev/null 2>&1) \
    && dpkg -x "$d"/python3-opt-einsum_*.deb "$d" 2>/dev/null \
    && PYTHONPATH="$d/usr/lib/python3/dist-packages" python3 -c 'import opt_einsum' 2>/dev/null \
    && { echo "$d/usr/lib/python3/dist-packages"; exit 0; }
fi
echo "find_opt_einsum.sh: opt_einsum not found (no wheel on this machine, no Debian package)" >&2
exit 1
