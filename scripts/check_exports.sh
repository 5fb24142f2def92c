#!/bin/sh
# Every function a public header names (declared, or mentioned as "free with hfds_x") must
# be exported by the shared library: the headers are the whole API, and a program linking
# libhfds can reach nothing else. Usage: check_exports.sh SRC_DIR LIBHFDS_SO
set -eu
src=$1 lib=$2
exported=$(nm -D --defined-only "$lib" | awk '$2 == "T" { print $3 }' | sort -u)
# identifiers followed by '(' (calls and declarations), minus function-pointer typedefs
named=$(cat "$src"/include/hfds/*.h | grep -o '[(*]*\bhfds_[a-z0-9_]*[ ]*(' | grep -v '^(\*\|^\*' | sed 's/^(*//' |
	sed 's/[ (]*$//' | sort -u)
missing=$(printf '%s\n' "$named" | while read -r f; do
	printf '%s\n' "$exported" | grep -qx "$f" || echo "$f"
done)
if [ -n "$missing" ]; then
	echo "named in include/hfds/ but not exported by $(basename "$lib"):"
	printf '  %s\n' $missing
	exit 1
fi
echo "$(printf '%s\n' "$named" | wc -l) functions named in include/hfds/, all exported"
