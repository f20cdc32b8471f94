# lavaan reference values for csi's missing-data estimators (tests/golden/test_missing_lavaan.py).
# Run from the repository root:  Rscript tests/data/missing/missing_reference.R
# Needs R with lavaan (0.6.14 was used). Reads <name>_mar.csv, writes <name>_fiml.json:
#   h1_mean / h1_cov: lavaan's saturated (h1) model under missing = "fiml" (EM estimates,
#                     lavInspect(fit, "sampstat.h1")), variables in the order of `variables`;
#   params: parameterEstimates() of sem(syntax, data, missing = "fiml") (est, se).
suppressPackageStartupMessages(library(lavaan))
here <- "tests/data/missing"

num <- function(x) ifelse(is.na(x), "null", formatC(x, digits = 17, format = "g"))
str_ <- function(x) paste0('"', gsub('"', '\\"', x, fixed = TRUE), '"')
obj <- function(keys, vals) paste0("{", paste0(str_(keys), ": ", vals, collapse = ", "), "}")
arr <- function(v) paste0("[", paste(num(v), collapse = ", "), "]")

write_ref <- function(name, syntax, data) {
  fit <- sem(syntax, data = data, estimator = "ML", missing = "fiml")
  h1 <- lavInspect(fit, "sampstat.h1")
  vars <- rownames(h1$cov)
  pe <- parameterEstimates(fit)
  rows <- vapply(seq_len(nrow(pe)), function(i) obj(
    c("lhs", "op", "rhs", "est", "se"),
    c(str_(pe$lhs[i]), str_(pe$op[i]), str_(pe$rhs[i]), num(pe$est[i]), num(pe$se[i]))), "")
  fm_names <- c("chisq", "df", "pvalue", "cfi", "tli", "rmsea", "baseline.chisq", "baseline.df")
  covrows <- vapply(seq_along(vars), function(i) arr(h1$cov[i, ]), "")
  out <- paste0("{\n",
    '"name": ', str_(name), ",\n",
    '"lavaan_version": ', str_(as.character(packageVersion("lavaan"))), ",\n",
    '"r_version": ', str_(R.version.string), ",\n",
    '"call": ', str_("sem(syntax, data, estimator = 'ML', missing = 'fiml')"), ",\n",
    '"syntax": ', str_(gsub("\n", "\\n", syntax, fixed = TRUE)), ",\n",
    '"n": ', lavInspect(fit, "nobs"), ",\n",
    '"converged": ', tolower(lavInspect(fit, "converged")), ",\n",
    '"loglik": ', num(fitMeasures(fit, "logl")), ",\n",
    '"fit": ', obj(fm_names, num(unname(fitMeasures(fit, fm_names)))), ",\n",
    '"variables": [', paste(str_(vars), collapse = ", "), "],\n",
    '"h1_mean": ', arr(h1$mean[vars]), ",\n",
    '"h1_cov": [', paste(covrows, collapse = ",\n  "), "],\n",
    '"params": [\n', paste(rows, collapse = ",\n"), "\n]\n}\n")
  writeLines(out, file.path(here, paste0(name, "_fiml.json")))
}

pd <- read.csv(file.path(here, "pd_mar.csv"), na.strings = "NA")
pd_model <- "
ind60 =~ x1 + x2 + x3
dem60 =~ y1 + y2 + y3 + y4
dem65 =~ y5 + y6 + y7 + y8
dem60 ~ ind60
dem65 ~ ind60 + dem60
y1 ~~ y5
y2 ~~ y4 + y6
y3 ~~ y7
y4 ~~ y8
y6 ~~ y8"
write_ref("pd", pd_model, pd)

acsi <- read.csv(file.path(here, "acsi_mar.csv"), na.strings = "NA")
acsi$respondent <- NULL
acsi_model <- "
expectation =~ ex1 + ex2 + ex3
quality =~ pq1 + pq2 + pq3
value =~ pv1 + pv2
satisfaction =~ sat1 + sat2 + sat3
complaint =~ cmp1
loyalty =~ loy1 + loy2
quality ~ expectation
value ~ expectation + quality
satisfaction ~ expectation + quality + value
complaint ~ satisfaction
loyalty ~ satisfaction + complaint"
write_ref("acsi", acsi_model, acsi)
