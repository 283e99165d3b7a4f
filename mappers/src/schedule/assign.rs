//! Unit assignment: the first of the cost model's candidate units (preferred first) that
//! can run the work. The candidates encode the rules — on an accelerator GEMMs go to the
//! PE array; softmax, norms and element-wise work to the PE array in element-wise mode
//! when its reduction tree can be bypassed (MARCA), else to the nonlinear unit; data
//! movement to the DMA engine; on a GPU or CPU platform everything goes to the device.
//! When a unit refuses (an unsupported format, a shape it cannot tile), the next is tried;
//! when all refuse, the reasons are joined into one error.

use crate::cost::{CostModel, OpCost, UnitKind};
use crate::work::Work;

/// The unit and cost for `work`, or every unit's reason for refusing it.
pub fn assign(costs: &dyn CostModel, work: &Work) -> Result<(UnitKind, OpCost), String> {
    let cands = costs.candidates(work);
    if cands.is_empty() {
        return Err(costs.why_none(work));
    }
    let mut reasons = Vec::new();
    for u in cands {
        match costs.cost(u, work) {
            Ok(c) => return Ok((u, c)),
            Err(e) => reasons.push(format!("{}: {e}", u.name())),
        }
    }
    Err(reasons.join("; "))
}
