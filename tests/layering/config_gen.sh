#!/bin/sh
# config_gen.sh AWK SRC_DIR — common/hr_config_gen.awk refuses each kind of
# malformed config.tsv line (naming file and line), and turns a good one into
# the table it states.  Every service's real config.tsv is compiled by the
# build itself; this proves the refusals.
set -u
awk_bin=$1
gen=$2/common/hr_config_gen.awk
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
fails=0
T=$(printf '\t')

# expect_refused NAME LINE...: the generator must exit non-zero and say where.
expect_refused () {
    name=$1; shift
    printf '%s\n' "$@" > "$dir/$name.tsv"
    if "$awk_bin" -v src="$name.tsv" -f "$gen" "$dir/$name.tsv" > "$dir/out.c" 2> "$dir/err"; then
        echo "FAIL $name: accepted"; fails=$((fails + 1))
    elif ! grep -q "^$name.tsv:[0-9]*: " "$dir/err"; then
        echo "FAIL $name: no file:line in: $(cat "$dir/err")"; fails=$((fails + 1))
    else
        echo "ok   $name: $(cat "$dir/err")"
    fi
}
expect_refused no_table "HR_X${T}int${T}1${T}0${T}9${T}help"
expect_refused fields "@table t" "HR_X${T}int${T}1${T}0${T}help"
expect_refused type "@table t" "HR_X${T}integer${T}1${T}0${T}9${T}help"
expect_refused bound "@table t" "HR_X${T}int${T}1${T}0${T}lots${T}help"
expect_refused name "@table t" "hr_x${T}int${T}1${T}0${T}9${T}help"
expect_refused twice "@table t" "HR_X${T}int${T}1${T}0${T}9${T}help" "HR_X${T}int${T}2${T}0${T}9${T}help"
expect_refused help "@table t" "HR_X${T}int${T}1${T}0${T}9${T}"
expect_refused symbol "@table 9t"
expect_refused empty "# nothing"

# A good file: quotes and backslashes escaped, empty bounds = 0, the terminator.
printf '# c\n@table t_one\nHR_A\tstr\tsay "hi" \\ bye\t\t\ta "quoted" help\n@table t_two\nHR_B\tdouble\t0.5\t1e-6\t1\tb\n' > "$dir/good.tsv"
if "$awk_bin" -v src=good.tsv -f "$gen" "$dir/good.tsv" > "$dir/good.c"; then
    for want in 'const hr_config_var_t t_one[] = {' 'const hr_config_var_t t_two[] = {' \
                '{ "HR_A", HR_CFG_STR, "say \"hi\" \\ bye",' '"a \"quoted\" help", 0, 0 },' \
                '"b", 1e-6, 1 },' '{ NULL, HR_CFG_STR, NULL, NULL, 0, 0 },'; do
        if ! grep -qF "$want" "$dir/good.c"; then
            echo "FAIL good: no line with: $want"; fails=$((fails + 1))
        fi
    done
    [ "$(grep -c '{ NULL,' "$dir/good.c")" = 2 ] || { echo "FAIL good: not two terminators"; fails=$((fails + 1)); }
else
    echo "FAIL good: refused"; fails=$((fails + 1))
fi
[ "$fails" = 0 ] && echo "config_gen: all checks passed"
exit "$fails"
