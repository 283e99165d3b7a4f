//! MARCA's unpublished off-chip memory (HBM2 stacks) and operand width as axes
//! (`sweeps/specs/marca-memory.toml`): decode tokens/s and power at each setting.

use anyhow::{Result, anyhow};

use crate::reproduce::rows::Rows;
use crate::reproduce::{Check, Claim, Context, run_spec};

/// One setting: (HBM2 stacks, operand bits, tokens/s, power W).
type Setting = (u64, u64, f64, f64);

/// The reported claim and the finding line.
pub(super) fn claim(ctx: &Context) -> Result<(Claim, String)> {
    let rows = Rows::all_ok(run_spec(ctx, "marca-memory.toml", "memory")?)?;
    let mut s: Vec<Setting> = Vec::new();
    for r in rows.iter() {
        s.push((
            r.int("arch.dram.stacks")?,
            r.int("arch.pe_array.operand_bits")?,
            r.num("tokens_per_s")?,
            r.num("power_w")?,
        ));
    }
    let find = |stacks: u64, bits: u64| {
        s.iter()
            .find(|x| x.0 == stacks && x.1 == bits)
            .copied()
            .ok_or_else(|| anyhow!("no {stacks}-stack {bits}-bit point in marca-memory.toml"))
    };
    let (base, wide) = (find(1, 16)?, find(4, 8)?);
    let list = s
        .iter()
        .map(|x| {
            format!(
                "{} HBM2 stack{} at {} bits: {:.2} tokens/s, {:.2} W",
                x.0,
                if x.0 == 1 { "" } else { "s" },
                x.1,
                x.2,
                x.3
            )
        })
        .collect::<Vec<_>>()
        .join("; ");
    let claim = Claim {
        what: "decode tokens/s, 4 HBM2 stacks and 8-bit operands over the preset's 1 stack, \
               16-bit, Mamba-2.8B"
            .into(),
        paper: None,
        paper_text: "not published".into(),
        simulated: wide.2 / base.2,
        unit: "×".into(),
        check: Check::Report,
        source: "marca-memory.toml".into(),
        note: list,
    };
    let finding = format!(
        "Off-chip memory and operand width (not published; marca-memory.toml): decode \
         tokens/s hardly moves ({:.2} → {:.2} from 1 HBM2 stack at 16 bits to 4 stacks at 8 \
         bits), because the step is bound by the array taking in 64 weights per cycle, not by \
         DRAM; extra stacks only add their background power ({:.2} → {:.2} W at 16 bits), and \
         8-bit weights halve the DRAM bytes and cut power to {:.2} W at one stack. The \
         published 23.78 tokens/s therefore does not pin down the memory.",
        base.2,
        wide.2,
        base.3,
        find(4, 16)?.3,
        find(1, 8)?.3
    );
    Ok((claim, finding))
}
