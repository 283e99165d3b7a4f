//! Marker shapes that tell points apart once the categorical palette repeats: point `i`
//! gets colour `i mod 10` ([`super::palette::categorical`]) and shape `⌊i / 10⌋ mod 5`
//! (circle, square, triangle up, diamond, triangle down), so up to 50 points differ in
//! colour or shape.

use plotters::coord::Shift;
use plotters::prelude::*;

use super::msg;
use super::palette::CATEGORICAL_LEN;

/// A marker's shape.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Shape {
    Circle,
    Square,
    Up,
    Diamond,
    Down,
}

const SHAPES: [Shape; 5] = [
    Shape::Circle,
    Shape::Square,
    Shape::Up,
    Shape::Diamond,
    Shape::Down,
];

/// The shape of the `i`-th point: one shape per cycle of the categorical palette.
pub(crate) fn shape(i: usize) -> Shape {
    SHAPES[(i / CATEGORICAL_LEN) % SHAPES.len()]
}

/// Pixel offsets of a polygon shape of half-size `r` around its centre (y down); `None`
/// for the circle. Triangles and the diamond are a pixel larger so they look as heavy as
/// the square.
fn vertices(shape: Shape, r: i32) -> Option<Vec<(i32, i32)>> {
    let t = r + 1;
    match shape {
        Shape::Circle => None,
        Shape::Square => Some(vec![(-r, -r), (r, -r), (r, r), (-r, r)]),
        Shape::Up => Some(vec![(0, -t), (t, t - 1), (-t, t - 1)]),
        Shape::Down => Some(vec![(0, t), (t, 1 - t), (-t, 1 - t)]),
        Shape::Diamond => Some(vec![(0, -t), (t, 0), (0, t), (-t, 0)]),
    }
}

/// A marker of half-size `r` centred at pixel `at` of `area` (points, legend swatches).
pub(crate) fn draw_at<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    at: (i32, i32),
    shape: Shape,
    r: i32,
    style: ShapeStyle,
) -> Result<(), String> {
    match vertices(shape, r) {
        None => area.draw(&Circle::new(at, r, style)).map_err(msg),
        Some(v) => {
            let v: Vec<(i32, i32)> = v.into_iter().map(|(x, y)| (at.0 + x, at.1 + y)).collect();
            area.draw(&Polygon::new(v, style)).map_err(msg)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_shape_per_palette_cycle() {
        // Points 0–9 are circles, 10–19 squares (so point 10, blue like point 0, is a
        // blue square), 50 starts over with circles.
        assert_eq!(shape(0), Shape::Circle);
        assert_eq!(shape(9), Shape::Circle);
        assert_eq!(shape(10), Shape::Square);
        assert_eq!(shape(25), Shape::Up);
        assert_eq!(shape(49), Shape::Down);
        assert_eq!(shape(50), Shape::Circle);
    }
}
