//! Data-driven tests of WCAG contrast: known colour pairs, malformed colours, and the promise
//! that the built-in theme meets AA for every text pair in both modes.

use engine::theme::{AA_CONTRAST, Theme, contrast_pairs, contrast_ratio};

fn check(first: &str, second: &str, expected: Option<f64>) {
    let ratio = contrast_ratio(first, second);
    match (ratio, expected) {
        (Some(ratio), Some(expected)) => {
            assert!(
                (ratio - expected).abs() < 0.01,
                "{first} on {second}: {ratio} != {expected}"
            )
        }
        _ => assert_eq!(ratio, expected, "{first} on {second}"),
    }
}

#[test]
fn contrast_ratios() {
    for (first, second, expected) in [
        ("#000000", "#ffffff", Some(21.0)),
        ("#ffffff", "#000000", Some(21.0)),
        ("#FFFFFF", "#ffffff", Some(1.0)),
        ("#777777", "#ffffff", Some(4.48)),
        ("#767676", "#ffffff", Some(4.54)),
        ("#3b4bd8", "#ffffff", Some(6.6)),
        ("#fff", "#000000", None),
        ("ffffff", "#000000", None),
        ("#gggggg", "#000000", None),
        ("#ffffff", "", None),
    ] {
        check(first, second, expected);
    }
}

#[test]
fn the_built_in_theme_meets_aa_in_both_modes() {
    let theme = Theme::default();
    for (mode, colors) in [("light", &theme.light), ("dark", &theme.dark)] {
        for (foreground_name, background_name, foreground, background) in contrast_pairs(colors) {
            let ratio = contrast_ratio(foreground, background).unwrap();
            assert!(
                ratio >= AA_CONTRAST,
                "{mode}: {foreground_name} on {background_name} is {ratio:.2}"
            );
        }
    }
    assert_eq!(engine::validate::validate_settings(&Default::default()), []);
}
