/*  The variables rules-svc and `hybridrec train rules` read.  */
#include "protocol.h"

const hr_config_var_t rules_config[] = {
    { "HR_BASKET_MODE", HR_CFG_STR, "session",
      "how clicks become baskets: session (split by inactivity) or user-day (UTC day)", 0, 0 },
    { "HR_SESSION_GAP_MIN", HR_CFG_INT, "30", "minutes of inactivity that end a session", 1, 10080 },
    { "HR_RULES_MIN_SUPPORT", HR_CFG_DOUBLE, "0.001",
      "minimum support of an itemset, fraction of baskets (arules semantics)", 0, 1 },
    { "HR_RULES_MIN_COUNT", HR_CFG_INT, "2", "minimum number of baskets holding an itemset", 1, 1e9 },
    { "HR_RULES_MIN_CONFIDENCE", HR_CFG_DOUBLE, "0.1", "minimum confidence of a rule", 0, 1 },
    { "HR_RULES_MAX_LEN", HR_CFG_INT, "4", "longest itemset mined (antecedent + consequent)", 2, 16 },
    { "HR_RULES_MAX_ITEMSETS", HR_CFG_INT, "2000000",
      "itemset budget of one mining run; past it train rules caps long baskets, then raises the support", 1000, 1e9 },
    { "HR_RULES_BASKET_CAP", HR_CFG_INT, "50",
      "items kept of a longer basket when the budget is exceeded (deterministic sample)", 2, 100000 },
    { "HR_RULES_MAX_RULES", HR_CFG_INT, "1000000", "rules kept in a model, best first", 1, 1e8 },
    { "HR_RULES_WINDOW_DAYS", HR_CFG_INT, "90", "days of clicks mined by train rules", 1, 3650 },
    { "HR_RULES_HISTORY_ITEMS", HR_CFG_INT, "20", "recent distinct clicks matched by for_user", 1, 1000 },
    { NULL, 0, NULL, NULL, 0, 0 },
};
