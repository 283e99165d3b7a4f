//! Element types, shapes and tensors — what flows along a graph edge.
//!
//! Sizes are in bytes; a tensor of `n` elements of a `b`-bit type occupies
//! `⌈n·b / 8⌉` bytes (sub-byte integers are packed densely, as quantised weights and
//! KV caches are stored).

use serde::Serialize;
use std::fmt;

/// Element type of a tensor.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(into = "String")]
pub enum DType {
    /// IEEE 754 binary32.
    F32,
    /// IEEE 754 binary16.
    F16,
    /// bfloat16 (8-bit exponent, 7-bit mantissa).
    BF16,
    /// Signed (or offset) integer of the given width in bits, 1…32 (e.g. `Int(8)` for
    /// int8 activations, `Int(4)` or `Int(3)` for packed quantised weights).
    Int(u8),
}

impl DType {
    /// Width of one element in bits.
    pub fn bits(self) -> u64 {
        match self {
            DType::F32 => 32,
            DType::F16 | DType::BF16 => 16,
            DType::Int(b) => u64::from(b),
        }
    }

    /// Bytes occupied by `n` densely packed elements: `⌈n·bits / 8⌉`.
    pub fn bytes_for(self, n: u64) -> u64 {
        (n * self.bits()).div_ceil(8)
    }

    /// Whether this is an integer type.
    pub fn is_int(self) -> bool {
        matches!(self, DType::Int(_))
    }

    /// Short name: `f32`, `f16`, `bf16`, `i8`, `i4`, …
    pub fn name(self) -> String {
        match self {
            DType::F32 => "f32".into(),
            DType::F16 => "f16".into(),
            DType::BF16 => "bf16".into(),
            DType::Int(b) => format!("i{b}"),
        }
    }
}

impl fmt::Display for DType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.name())
    }
}

impl From<DType> for String {
    fn from(d: DType) -> String {
        d.name()
    }
}

/// Largest tensor rank used by the operators here.
pub const MAX_RANK: usize = 4;

/// A tensor shape of rank 1…4 (outermost dimension first). `Copy`, no allocation.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct Shape {
    dims: [u64; MAX_RANK],
    rank: u8,
}

impl Shape {
    /// A shape from its dimensions (at most [`MAX_RANK`]; extra dimensions are folded
    /// into the last one so the element count is kept).
    pub fn new(dims: &[u64]) -> Shape {
        let mut d = [1u64; MAX_RANK];
        let rank = dims.len().clamp(1, MAX_RANK);
        for (i, &x) in dims.iter().enumerate() {
            if i < MAX_RANK {
                d[i] = x;
            } else {
                d[MAX_RANK - 1] *= x;
            }
        }
        Shape {
            dims: d,
            rank: rank as u8,
        }
    }

    /// The dimensions.
    pub fn dims(&self) -> &[u64] {
        &self.dims[..usize::from(self.rank)]
    }

    /// Number of elements (product of the dimensions).
    pub fn numel(&self) -> u64 {
        self.dims().iter().product()
    }
}

impl fmt::Debug for Shape {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:?}", self.dims())
    }
}

impl fmt::Display for Shape {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let parts: Vec<String> = self.dims().iter().map(u64::to_string).collect();
        write!(f, "[{}]", parts.join("×"))
    }
}

impl Serialize for Shape {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        self.dims().serialize(s)
    }
}

/// A tensor: shape and element type. Its size is [`Tensor::bytes`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
pub struct Tensor {
    /// Shape.
    pub shape: Shape,
    /// Element type.
    pub dtype: DType,
}

impl Tensor {
    /// A tensor of the given dimensions and type.
    pub fn new(dims: &[u64], dtype: DType) -> Tensor {
        Tensor {
            shape: Shape::new(dims),
            dtype,
        }
    }

    /// Number of elements.
    pub fn numel(&self) -> u64 {
        self.shape.numel()
    }

    /// Size in bytes: `⌈numel · bits / 8⌉`.
    pub fn bytes(&self) -> u64 {
        self.dtype.bytes_for(self.numel())
    }
}

impl fmt::Display for Tensor {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}", self.shape, self.dtype)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes() {
        // 4096×4096 fp16 = 32 MiB; int4 packs two per byte; int3 packs 8 per 3 bytes.
        assert_eq!(Tensor::new(&[4096, 4096], DType::F16).bytes(), 32 << 20);
        assert_eq!(Tensor::new(&[4096, 4096], DType::Int(4)).bytes(), 8 << 20);
        assert_eq!(Tensor::new(&[8], DType::Int(3)).bytes(), 3);
        assert_eq!(Tensor::new(&[3], DType::Int(3)).bytes(), 2);
        assert_eq!(Shape::new(&[2, 3, 4, 5, 6]).numel(), 720);
        assert_eq!(
            format!("{}", Tensor::new(&[2, 3], DType::Int(8))),
            "[2×3] i8"
        );
    }
}
