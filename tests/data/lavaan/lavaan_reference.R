# Reference values for csi's CB-SEM estimator (tests/golden/test_cbsem_lavaan.py).
# Run from the repository root:  Rscript tests/data/lavaan/lavaan_reference.R
# Needs R with lavaan (0.6.14 was used). Writes tests/data/lavaan/<name>.json.
suppressPackageStartupMessages(library(lavaan))
here <- "tests/data/lavaan"

num <- function(x) ifelse(is.na(x), "null", formatC(x, digits = 17, format = "g"))
str_ <- function(x) paste0('"', gsub('"', '\\"', x, fixed = TRUE), '"')
obj <- function(keys, vals) paste0("{", paste0(str_(keys), ": ", vals, collapse = ", "), "}")

write_ref <- function(name, syntax, data) {
  fit <- sem(syntax, data = data, estimator = "ML")
  pe <- parameterEstimates(fit)
  ss <- standardizedSolution(fit)
  rows <- vapply(seq_len(nrow(pe)), function(i) obj(
    c("lhs", "op", "rhs", "est", "se", "z", "pvalue", "est_std", "se_std"),
    c(str_(pe$lhs[i]), str_(pe$op[i]), str_(pe$rhs[i]), num(pe$est[i]), num(pe$se[i]),
      num(pe$z[i]), num(pe$pvalue[i]), num(ss$est.std[i]), num(ss$se[i]))), "")
  fm_names <- c("chisq", "df", "pvalue", "cfi", "tli", "rmsea", "rmsea.ci.lower",
                "rmsea.ci.upper", "srmr", "baseline.chisq", "baseline.df", "npar")
  fm <- fitMeasures(fit, fm_names)
  r2 <- lavInspect(fit, "r2")
  out <- paste0("{\n",
    '"name": ', str_(name), ",\n",
    '"lavaan_version": ', str_(as.character(packageVersion("lavaan"))), ",\n",
    '"syntax": ', str_(gsub("\n", "\\n", syntax, fixed = TRUE)), ",\n",
    '"n": ', lavInspect(fit, "nobs"), ",\n",
    '"converged": ', tolower(lavInspect(fit, "converged")), ",\n",
    '"fit": ', obj(fm_names, num(unname(fm))), ",\n",
    '"r2": ', obj(names(r2), num(unname(r2))), ",\n",
    '"params": [\n', paste(rows, collapse = ",\n"), "\n]\n}\n")
  writeLines(out, file.path(here, paste0(name, ".json")))
}

pd_full <- "
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
write_ref("political_democracy", pd_full, PoliticalDemocracy)

acsi <- read.csv(file.path(here, "acsi_sim.csv"))
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
write_ref("acsi_sim", acsi_model, acsi)

# Two single-item constructs: value measured by pv1 only (and complaint by cmp1).
acsi_single <- sub("value =~ pv1 + pv2", "value =~ pv1", acsi_model, fixed = TRUE)
write_ref("acsi_sim_single", acsi_single, acsi)
