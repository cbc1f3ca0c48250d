# hr_config_gen.awk — a folder's config.tsv into the C tables hr_config reads.
#
#   awk -f common/hr_config_gen.awk -v src=rules-svc/config.tsv rules-svc/config.tsv > out.c
#
# The configuration variables are data: each folder declares its own in a
# config.tsv (one table per "@table <symbol>" line, then one variable per
# line: NAME, TYPE, DEFAULT, MIN, MAX, HELP, separated by one tab; TYPE is
# str, int, double or bool; MIN and MAX empty = unbounded; # starts a
# comment line).  The build writes the C (hr_config_tables() in the top
# CMakeLists.txt); a malformed line fails the build, naming file and line.
BEGIN {
    FS = "\t"
    types["str"] = "HR_CFG_STR"; types["int"] = "HR_CFG_INT"
    types["double"] = "HR_CFG_DOUBLE"; types["bool"] = "HR_CFG_BOOL"
    printf "/*  Generated from %s by common/hr_config_gen.awk: edit that file.  */\n", src
    print "#include \"hr_config.h\""
}
function fail(msg) {
    printf "%s:%d: %s\n", src, FNR, msg > "/dev/stderr"
    failed = 1
    exit 1
}
function quote(s,    out, i, c) {
    out = ""                    # escaped by hand: awks differ on "\\" in gsub
    for (i = 1; i <= length(s); i++) {
        c = substr(s, i, 1)
        if (c == "\\" || c == "\"")
            out = out "\\"
        out = out c
    }
    return "\"" out "\""
}
function bound(s) {
    if (s == "")
        return "0"
    if (s !~ /^-?[0-9]+(\.[0-9]+)?(e-?[0-9]+)?$/)
        fail("bound is not a number: " s)
    return s
}
function end_table() {
    if (open)
        print "    { NULL, HR_CFG_STR, NULL, NULL, 0, 0 },\n};"
    open = 0
}
/^#/ || /^[ \t]*$/ { next }
/^@table / {
    end_table()
    name = substr($0, 8)
    if (name !~ /^[a-z_][a-z0-9_]*$/)
        fail("table name is not a C identifier: " name)
    if (name in seen)
        fail("table declared twice: " name)
    seen[name] = 1
    printf "\nconst hr_config_var_t %s[] = {\n", name
    open = 1
    tables++
    next
}
{
    if (!open)
        fail("a variable before the first @table line")
    if (NF != 6)
        fail("expected 6 tab-separated fields (NAME TYPE DEFAULT MIN MAX HELP), got " NF)
    if ($1 !~ /^[A-Z][A-Z0-9_]*$/)
        fail("variable name is not UPPER_CASE: " $1)
    if ($1 in vars)
        fail("variable declared twice: " $1)
    vars[$1] = 1
    if (!($2 in types))
        fail("type is not str, int, double or bool: " $2)
    if ($6 == "")
        fail("variable without help: " $1)
    printf "    { %s, %s, %s,\n      %s, %s, %s },\n", quote($1), types[$2], quote($3), quote($6),
           bound($4), bound($5)
}
END {
    if (failed)
        exit 1
    if (!tables) {
        FNR = 0
        fail("no @table line")
    }
    end_table()
}
