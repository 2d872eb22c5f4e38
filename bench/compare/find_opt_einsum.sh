#!/usr/bin/env bash
# Prints a PYTHONPATH entry from which python3 imports opt_einsum, or nothing when it imports as installed;
# exits 1 when none is found. opt_einsum is pure Python: a wheel imports straight from its zip file; a package
# folder (Debian's dist-packages) is copied alone into target/opt-einsum so that the rest of that folder stays off
# the path; as a last resort Debian's python3-opt-einsum is downloaded (not installed) and unpacked there.
#   export PYTHONPATH="$(bench/compare/find_opt_einsum.sh)${PYTHONPATH:+:$PYTHONPATH}"
# OPT_EINSUM_PATH names another wheel or folder to try first. Used by bench/run and einsum_suite_cpu.py.
set -u
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
lib="$root/target/opt-einsum"
imports() { PYTHONPATH="$1${PYTHONPATH:+:$PYTHONPATH}" python3 -c 'import opt_einsum' 2>/dev/null; }
python3 -c 'import opt_einsum' 2>/dev/null && exit 0
for cand in ${OPT_EINSUM_PATH:-} /opt/pypi/files/opt_einsum-*.whl /opt/wheels/opt_einsum-*.whl \
            /usr/lib/python3/dist-packages/opt_einsum "$lib/opt_einsum"; do
  [ -e "$cand" ] || continue
  if [ -d "$cand" ]; then
    if [ "$cand" != "$lib/opt_einsum" ]; then mkdir -p "$lib" && rm -rf "$lib/opt_einsum" && cp -r "$cand" "$lib/"; fi
    cand="$lib"
  fi
  if imports "$cand"; then echo "$cand"; exit 0; fi
done
if command -v apt-get >/dev/null && command -v dpkg >/dev/null; then
  deb=$(mktemp -d)
  if (cd "$deb" && apt-get download python3-opt-einsum >/dev/null 2>&1) \
      && dpkg -x "$deb"/python3-opt-einsum_*.deb "$deb/x" 2>/dev/null; then
    src=$(find "$deb/x" -type d -name opt_einsum -path '*-packages/*' | head -1)
    if [ -n "$src" ]; then mkdir -p "$lib" && rm -rf "$lib/opt_einsum" && cp -r "$src" "$lib/"; fi
  fi
  rm -rf "$deb"
  if imports "$lib"; then echo "$lib"; exit 0; fi
fi
echo "find_opt_einsum.sh: opt_einsum not found (no wheel on this machine, no Debian package)" >&2
exit 1
