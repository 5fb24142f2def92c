#!/usr/bin/env bash
# The module graph in one check (ctest infra_layers):
#  1. every `#include "<module>/..."` or `#include "hfds/<header>.h"` in src/<module>/ names
#     the module itself, util, or a module below it in LAYERS that it links (directly or
#     through its links) in CMakeLists.txt;
#  2. every module it links directly is one it includes (link deps are real deps);
#  3. the CLI sees only the public headers and util (no reader or writer internals);
#  4. parquet/read and parquet/write share only parquet/format.
# usage: check_layers.sh SRC_DIR
set -euo pipefail
cd "$1"
LAYERS=(util arrow parquet features ingest dataset store hub chess publish server recipe stream cli)
# the module that owns each public header
declare -A OWNER=([common]=util [arrow]=arrow [arrow_abi]=arrow [parquet]=parquet [parquet_reader]=parquet
	[features]=features [ingest]=ingest [dataset]=dataset [store]=store [hub]=hub [chess]=chess
	[publish]=publish [server]=server [recipe]=recipe [stream]=stream)
declare -A RANK LINKS
for i in "${!LAYERS[@]}"; do RANK[${LAYERS[$i]}]=$i; done
# direct module links from `hfds_module(name deps...)`
while read -r name deps; do
	LINKS[$name]=$(printf '%s\n' $deps | sed -n 's/^hfds_//p' | tr '\n' ' ')
done < <(sed -n 's/^hfds_module(\([a-z]*\) \(.*\))$/\1 \2/p' CMakeLists.txt)
LINKS[cli]=$(printf '%s ' "${LAYERS[@]}")
closure() { # every module reachable from $1 through LINKS
	local seen=" $1 " todo=($1) m d
	while [ ${#todo[@]} -gt 0 ]; do
		m=${todo[0]}; todo=("${todo[@]:1}")
		for d in ${LINKS[$m]:-}; do
			case "$seen" in *" $d "*) ;; *) seen="$seen$d "; todo+=("$d") ;; esac
		done
	done
	echo "$seen"
}
# the public headers a public header includes, transitively (using chess.h uses features.h)
pub_deps() {
	local seen=" $1 " todo=($1) h i
	while [ ${#todo[@]} -gt 0 ]; do
		h=${todo[0]}; todo=("${todo[@]:1}")
		for i in $(sed -n 's/^#include "hfds\/\([a-z_]*\)\.h"/\1/p' "include/hfds/$h.h"); do
			case "$seen" in *" $i "*) ;; *) seen="$seen$i "; todo+=("$i") ;; esac
		done
	done
	for h in $seen; do echo "${OWNER[$h]:-?}"; done
}
bad=0
for dir in src/*/; do
	m=$(basename "$dir")
	[ -n "${RANK[$m]+x}" ] || { echo "src/$m: not in the layer order of scripts/check_layers.sh"; bad=1; continue; }
	reach=$(closure "$m")
	used=" "
	while IFS=: read -r file inc; do
		case "$inc" in
		hfds/*) dep=${OWNER[$(basename "$inc" .h)]:-?} ;;
		*) dep=${inc%%/*} ;;
		esac
		[ -n "${RANK[$dep]+x}" ] || continue
		used="$used$dep "
		[ "${inc%%/*}" = hfds ] && used="$used$(pub_deps "$(basename "$inc" .h)" | tr '\n' ' ')"
		if [ "$m" = cli ] && [ "${inc%%/*}" != hfds ] && [ "$dep" != util ]; then
			echo "$file: the CLI includes an internal header \"$inc\" (only include/hfds/ and util/)"; bad=1
		elif [ "$dep" != "$m" ] && { [ "${RANK[$dep]}" -ge "${RANK[$m]}" ] || [[ "$reach" != *" $dep "* ]]; }; then
			echo "$file: module $m includes \"$inc\" of module $dep, which is not below it in its links ($reach)"; bad=1
		fi
	done < <(find "$dir" -name '*.[ch]' -exec grep -o '^#include "[a-z_]*/[a-z_0-9/]*\.h"' /dev/null {} + |
		sed 's/#include "\(.*\)"/\1/')
	for d in ${LINKS[$m]:-}; do
		[ "$m" = cli ] && continue
		[[ "$used" == *" $d "* ]] || { echo "src/$m: links hfds_$d but includes nothing of it"; bad=1; }
	done
done
# 4. inside parquet, the reader and the writer share only the format definitions
for side in read write; do
	other=$([ $side = read ] && echo write || echo read)
	if grep -rn "^#include \"parquet/$other/" src/parquet/$side src/parquet/format; then
		echo "parquet/$side or parquet/format includes parquet/$other (they share only parquet/format)"; bad=1
	fi
done
[ "$bad" = 0 ] && echo "module includes follow the layers and the CMake links"
exit "$bad"
