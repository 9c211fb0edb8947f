//! Hand-checked fixtures of the survey statistics; the arithmetic is in the comments so a
//! reader can redo it with a pocket calculator.

use engine::scores::{mean, nps, satisfied_percent};

/// Equal to four decimals: the fixtures below are rounded that far.
fn close(actual: f64, expected: f64, what: &str) {
    assert!(
        (actual - expected).abs() < 1e-4,
        "{what}: {actual} is not {expected}"
    );
}

#[test]
fn nps_fixtures() {
    // (scores, promoters, passives, detractors, score, half width of the 95 % interval)
    let cases: Vec<(Vec<i64>, usize, usize, usize, f64, f64)> = vec![
        // n = 10: promoters 10, 9, 9, 10 = 4; passives 8, 7 = 2; detractors 6, 5, 0, 3 = 4.
        // p = d = 0.4, score = 0. (p + d − (p − d)²)/n = 0.8/10 = 0.08; sqrt = 0.282843;
        // × 1.96 × 100 = 55.4372.
        (vec![10, 9, 9, 8, 7, 6, 5, 0, 10, 3], 4, 2, 4, 0.0, 55.4372),
        // n = 5: promoters 4, passives 1. p = 0.8, d = 0, score = 80.
        // (0.8 − 0.64)/5 = 0.032; sqrt = 0.178885; × 196 = 35.0615 (the interval passes 100:
        // five answers say little).
        (vec![10, 10, 10, 9, 8], 4, 1, 0, 80.0, 35.0615),
        // n = 3: p = 1/3, d = 2/3, score = −33.3333. (1 − 1/9)/3 = 0.296296; sqrt = 0.544331;
        // × 196 = 106.6889.
        (vec![0, 0, 10], 1, 0, 2, -33.3333, 106.6889),
        // Everyone a promoter: no spread, so no width. Out-of-scale values are left out.
        (vec![9, 10, 11, -1], 2, 0, 0, 100.0, 0.0),
    ];
    for (scores, promoters, passives, detractors, score, half) in cases {
        let summary = nps(&scores).unwrap_or_else(|| panic!("{scores:?}"));
        assert_eq!(
            (summary.promoters, summary.passives, summary.detractors),
            (promoters, passives, detractors),
            "{scores:?}"
        );
        assert_eq!(summary.n, promoters + passives + detractors);
        close(summary.score, score, "score");
        close(summary.ci_low, score - half, "ci_low");
        close(summary.ci_high, score + half, "ci_high");
    }
    assert_eq!(nps(&[]), None);
    assert_eq!(nps(&[11]), None);
}

#[test]
fn mean_fixtures() {
    // (values, mean, half width) — None: no interval below two values.
    let cases: Vec<(Vec<i64>, f64, Option<f64>)> = vec![
        // CES: sum 25 / 5 = 5. Deviations 0, 1, 2, −1, −2 → squares sum 10; 10/4 = 2.5;
        // s = 1.581139; s/sqrt(5) = 0.707107; × 1.96 = 1.385929.
        (vec![5, 6, 7, 4, 3], 5.0, Some(1.385929)),
        // CSAT: sum 29 / 8 = 3.625. Squared deviations sum 15.875; /7 = 2.267857;
        // s = 1.505941; /sqrt(8) = 0.532436; × 1.96 = 1.043564.
        (vec![5, 4, 4, 2, 1, 3, 5, 5], 3.625, Some(1.043564)),
        // Two equal values: a spread of zero, so the interval is the mean itself.
        (vec![3, 3], 3.0, Some(0.0)),
        (vec![4], 4.0, None),
    ];
    for (values, expected_mean, half) in cases {
        let summary = mean(&values).unwrap_or_else(|| panic!("{values:?}"));
        assert_eq!(summary.n, values.len());
        close(summary.mean, expected_mean, "mean");
        match half {
            Some(half) => {
                close(
                    summary.ci_low.unwrap_or(f64::NAN),
                    expected_mean - half,
                    "ci_low",
                );
                close(
                    summary.ci_high.unwrap_or(f64::NAN),
                    expected_mean + half,
                    "ci_high",
                );
            }
            None => assert_eq!((summary.ci_low, summary.ci_high), (None, None)),
        }
    }
    assert_eq!(mean(&[]), None);
}

#[test]
fn csat_satisfied_fixtures() {
    // 5, 4, 4, 5, 5 are 4 or 5: 5 of 8 = 62.5 %.
    for (values, percent) in [
        (vec![5, 4, 4, 2, 1, 3, 5, 5], Some(62.5)),
        (vec![3, 3, 3], Some(0.0)),
        (vec![4], Some(100.0)),
        (vec![], None),
    ] {
        assert_eq!(satisfied_percent(&values), percent, "{values:?}");
    }
}
