//! Tooltip placement: which side of the target to use and where the card and its arrow go,
//! flipping to the side with room and shifting to stay inside the viewport. Pure math, so it is
//! unit-tested natively.

use engine::flow::Placement;

/// A rectangle in viewport pixels.
#[derive(Clone, Copy, Debug, PartialEq, Default)]
pub struct Rect {
    pub x: f64,
    pub y: f64,
    pub width: f64,
    pub height: f64,
}

/// A side of the target.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Side {
    Top,
    Right,
    Bottom,
    Left,
}

impl Side {
    pub fn as_str(self) -> &'static str {
        match self {
            Side::Top => "top",
            Side::Right => "right",
            Side::Bottom => "bottom",
            Side::Left => "left",
        }
    }

    fn opposite(self) -> Side {
        match self {
            Side::Top => Side::Bottom,
            Side::Bottom => Side::Top,
            Side::Left => Side::Right,
            Side::Right => Side::Left,
        }
    }
}

/// Where the card goes.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Placed {
    pub side: Side,
    pub left: f64,
    pub top: f64,
    /// The arrow's offset along the card edge that faces the target, from the card's start.
    pub arrow: f64,
}

/// Space between target and card (room for the arrow).
pub const GAP: f64 = 12.0;
/// Minimum distance from the viewport edges.
pub const MARGIN: f64 = 8.0;

/// The side a placement asks for; `left`/`right` are mirrored on right-to-left pages.
fn preferred(placement: Placement, rtl: bool) -> Option<Side> {
    let side = match placement {
        Placement::Top => Side::Top,
        Placement::Bottom => Side::Bottom,
        Placement::Left => Side::Left,
        Placement::Right => Side::Right,
        Placement::Auto => return None,
    };
    Some(match (side, rtl) {
        (Side::Left, true) => Side::Right,
        (Side::Right, true) => Side::Left,
        (side, _) => side,
    })
}

/// Room between the target and the viewport edge on each side.
fn room(target: Rect, side: Side, viewport: (f64, f64)) -> f64 {
    match side {
        Side::Top => target.y,
        Side::Bottom => viewport.1 - (target.y + target.height),
        Side::Left => target.x,
        Side::Right => viewport.0 - (target.x + target.width),
    }
}

fn needs(side: Side, card: (f64, f64)) -> f64 {
    match side {
        Side::Top | Side::Bottom => card.1 + GAP + MARGIN,
        Side::Left | Side::Right => card.0 + GAP + MARGIN,
    }
}

/// `value` limited to `low..=high` (`high` wins when they cross). Unlike `f64::clamp` it never
/// panics, and it keeps float formatting (the panic message) out of the wasm.
fn fit(value: f64, low: f64, high: f64) -> f64 {
    value.max(low).min(high)
}

/// Places a `card` (width, height) next to `target` inside a `viewport` (width, height).
pub fn place(
    target: Rect,
    card: (f64, f64),
    viewport: (f64, f64),
    placement: Placement,
    rtl: bool,
) -> Placed {
    let order = [Side::Bottom, Side::Top, Side::Right, Side::Left];
    let fits = |side: Side| room(target, side, viewport) >= needs(side, card);
    let roomiest = || {
        order
            .into_iter()
            .max_by(|a, b| {
                let spare = |side| room(target, side, viewport) - needs(side, card);
                spare(*a).total_cmp(&spare(*b))
            })
            .unwrap_or(Side::Bottom)
    };
    let side = match preferred(placement, rtl) {
        Some(side) if fits(side) => side,
        Some(side) if fits(side.opposite()) => side.opposite(),
        Some(_) | None => order
            .into_iter()
            .find(|side| fits(*side))
            .filter(|_| placement != Placement::Auto)
            .unwrap_or_else(roomiest),
    };
    let clamp = |value: f64, size: f64, limit: f64| {
        let max = (limit - size - MARGIN).max(MARGIN);
        fit(value, MARGIN, max)
    };
    let (left, top) = match side {
        Side::Top | Side::Bottom => {
            let left = clamp(
                target.x + target.width / 2.0 - card.0 / 2.0,
                card.0,
                viewport.0,
            );
            let top = if side == Side::Top {
                target.y - GAP - card.1
            } else {
                target.y + target.height + GAP
            };
            (
                left,
                fit(
                    top,
                    MARGIN.min(top),
                    (viewport.1 - card.1 - MARGIN).max(MARGIN),
                ),
            )
        }
        Side::Left | Side::Right => {
            let top = clamp(
                target.y + target.height / 2.0 - card.1 / 2.0,
                card.1,
                viewport.1,
            );
            let left = if side == Side::Left {
                target.x - GAP - card.0
            } else {
                target.x + target.width + GAP
            };
            (
                fit(
                    left,
                    MARGIN.min(left),
                    (viewport.0 - card.0 - MARGIN).max(MARGIN),
                ),
                top,
            )
        }
    };
    let arrow = match side {
        Side::Top | Side::Bottom => fit(
            target.x + target.width / 2.0 - left,
            14.0,
            (card.0 - 14.0).max(14.0),
        ),
        Side::Left | Side::Right => fit(
            target.y + target.height / 2.0 - top,
            14.0,
            (card.1 - 14.0).max(14.0),
        ),
    };
    Placed {
        side,
        left,
        top,
        arrow,
    }
}

/// Whether the target is entirely outside the viewport (scrolled away).
pub fn off_screen(target: Rect, viewport: (f64, f64)) -> bool {
    target.x + target.width <= 0.0
        || target.y + target.height <= 0.0
        || target.x >= viewport.0
        || target.y >= viewport.1
}

#[cfg(test)]
mod tests {
    use super::*;

    const VIEW: (f64, f64) = (1280.0, 800.0);
    const CARD: (f64, f64) = (320.0, 160.0);

    fn rect(x: f64, y: f64, width: f64, height: f64) -> Rect {
        Rect {
            x,
            y,
            width,
            height,
        }
    }

    #[test]
    fn uses_the_preferred_side_when_it_fits() {
        let placed = place(
            rect(600.0, 400.0, 80.0, 30.0),
            CARD,
            VIEW,
            Placement::Bottom,
            false,
        );
        assert_eq!(placed.side, Side::Bottom);
        assert_eq!(placed.top, 442.0);
        assert_eq!(placed.left, 480.0);
        assert_eq!(placed.arrow, 160.0);
    }

    #[test]
    fn flips_when_there_is_no_room() {
        let placed = place(
            rect(600.0, 700.0, 80.0, 30.0),
            CARD,
            VIEW,
            Placement::Bottom,
            false,
        );
        assert_eq!(placed.side, Side::Top);
        let placed = place(
            rect(10.0, 400.0, 80.0, 30.0),
            CARD,
            VIEW,
            Placement::Left,
            false,
        );
        assert_eq!(placed.side, Side::Right);
    }

    #[test]
    fn shifts_inside_the_viewport() {
        let placed = place(
            rect(1250.0, 100.0, 20.0, 20.0),
            CARD,
            VIEW,
            Placement::Bottom,
            false,
        );
        assert_eq!(placed.side, Side::Bottom);
        assert_eq!(placed.left, 1280.0 - 320.0 - MARGIN);
        assert!(placed.arrow > 280.0);
    }

    #[test]
    fn mirrors_left_and_right_on_rtl_pages() {
        let placed = place(
            rect(600.0, 400.0, 80.0, 30.0),
            CARD,
            VIEW,
            Placement::Right,
            true,
        );
        assert_eq!(placed.side, Side::Left);
    }

    #[test]
    fn auto_picks_the_roomiest_side() {
        let placed = place(
            rect(600.0, 700.0, 80.0, 30.0),
            CARD,
            VIEW,
            Placement::Auto,
            false,
        );
        assert_eq!(placed.side, Side::Top);
    }

    #[test]
    fn narrow_viewports_keep_the_card_inside() {
        let placed = place(
            rect(300.0, 100.0, 60.0, 30.0),
            (359.0, 180.0),
            (375.0, 667.0),
            Placement::Right,
            false,
        );
        assert!(placed.left >= MARGIN && placed.left + 359.0 <= 375.0);
    }
}
