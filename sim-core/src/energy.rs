//! The energy ledger: counts of named actions × energy per action, plus leakage.
//!
//! A unit declares each action it can perform once ([`EnergyLedger::define_action`], pJ
//! per action) and its leakage power ([`EnergyLedger::set_leakage_mw`], mW); during a run
//! it records action counts. [`EnergyLedger::report`] turns the ledger into joules for an
//! elapsed time:
//!
//! * dynamic energy of an action = count × pJ per action;
//! * leakage energy of a component = mW × elapsed ps × 10⁻³ pJ/(mW·ps)
//!   (1 mW × 1 ps = 10⁻³ W × 10⁻¹² s = 10⁻¹⁵ J = 10⁻³ pJ).
//!
//! ```
//! use sim_core::{CompId, EnergyLedger, Time};
//! let mut e = EnergyLedger::new();
//! let mac = e.define_action(CompId(0), "pe", "mac_int8", 0.2).unwrap();
//! e.record(mac, 1000);                    // 1000 × 0.2 pJ = 200 pJ
//! e.set_leakage_mw(CompId(0), "pe", 5.0);  // 5 mW × 1 µs = 5 nJ = 5000 pJ
//! let r = e.report(Time::from_us(1));
//! assert!((r.total_pj() - 5200.0).abs() < 1e-9);
//! assert!((r.total_joules() - 5.2e-9).abs() < 1e-21);
//! ```

use std::collections::BTreeMap;

use crate::{CompId, SimError, Time};

/// Handle of an action defined on an [`EnergyLedger`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct ActionId(pub u32);

#[derive(Clone, Debug, PartialEq)]
struct Action {
    comp: CompId,
    comp_name: String,
    name: String,
    pj_per_action: f64,
    count: u64,
}

/// Counts of actions with their energy, and leakage powers, per component.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct EnergyLedger {
    actions: Vec<Action>,
    leakage: Vec<(CompId, String, f64)>,
}

/// One line of an [`EnergyReport`].
#[derive(Clone, Debug, PartialEq)]
pub struct EnergyRow {
    /// Component id.
    pub comp: CompId,
    /// Component name.
    pub component: String,
    /// Action name (`"leakage"` for leakage).
    pub action: String,
    /// Number of actions (0 for leakage).
    pub count: u64,
    /// Energy per action, pJ (for leakage: the power in mW).
    pub pj_per_action: f64,
    /// Energy of this line, pJ.
    pub pj: f64,
}

/// The energy of a run, line by line, with totals.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct EnergyReport {
    /// One row per (component, action), in definition order, then leakage rows.
    pub rows: Vec<EnergyRow>,
}

impl EnergyLedger {
    /// An empty ledger.
    pub fn new() -> Self {
        Self::default()
    }

    /// Declares action `name` of component `comp` costing `pj_per_action` pJ. Defining the
    /// same (component, action) again returns the existing id if the energy is the same
    /// and errors otherwise; a negative or non-finite energy is an error.
    pub fn define_action(
        &mut self,
        comp: CompId,
        comp_name: &str,
        name: &str,
        pj_per_action: f64,
    ) -> Result<ActionId, SimError> {
        if !pj_per_action.is_finite() || pj_per_action < 0.0 {
            return Err(SimError::InvalidEnergy {
                what: format!("{comp_name}.{name}"),
                value: pj_per_action,
            });
        }
        if let Some(i) = self
            .actions
            .iter()
            .position(|a| a.comp == comp && a.name == name)
        {
            if self.actions[i].pj_per_action.to_bits() != pj_per_action.to_bits() {
                return Err(SimError::InvalidEnergy {
                    what: format!("{comp_name}.{name} redefined with another energy"),
                    value: pj_per_action,
                });
            }
            return Ok(ActionId(i as u32));
        }
        self.actions.push(Action {
            comp,
            comp_name: comp_name.to_string(),
            name: name.to_string(),
            pj_per_action,
            count: 0,
        });
        Ok(ActionId(self.actions.len() as u32 - 1))
    }

    /// Records `count` more occurrences of action `id` (ignored for an unknown id).
    #[inline]
    pub fn record(&mut self, id: ActionId, count: u64) {
        if let Some(a) = self.actions.get_mut(id.0 as usize) {
            a.count = a.count.saturating_add(count);
        }
    }

    /// The count recorded so far for action `id`.
    pub fn count(&self, id: ActionId) -> u64 {
        self.actions.get(id.0 as usize).map_or(0, |a| a.count)
    }

    /// Sets the leakage power of component `comp` to `mw` milliwatts (negative or
    /// non-finite values are clamped to zero).
    pub fn set_leakage_mw(&mut self, comp: CompId, comp_name: &str, mw: f64) {
        let mw = if mw.is_finite() { mw.max(0.0) } else { 0.0 };
        if let Some(l) = self.leakage.iter_mut().find(|l| l.0 == comp) {
            l.2 = mw;
        } else {
            self.leakage.push((comp, comp_name.to_string(), mw));
        }
    }

    /// The energy of everything recorded, with leakage over `elapsed`.
    pub fn report(&self, elapsed: Time) -> EnergyReport {
        let mut rows: Vec<EnergyRow> = self
            .actions
            .iter()
            .map(|a| EnergyRow {
                comp: a.comp,
                component: a.comp_name.clone(),
                action: a.name.clone(),
                count: a.count,
                pj_per_action: a.pj_per_action,
                pj: a.count as f64 * a.pj_per_action,
            })
            .collect();
        rows.extend(self.leakage.iter().map(|(c, n, mw)| EnergyRow {
            comp: *c,
            component: n.clone(),
            action: "leakage".to_string(),
            count: 0,
            pj_per_action: *mw,
            pj: mw * elapsed.as_ps() as f64 * 1e-3,
        }));
        EnergyReport { rows }
    }
}

impl EnergyReport {
    /// Total energy, pJ.
    pub fn total_pj(&self) -> f64 {
        self.rows.iter().map(|r| r.pj).sum()
    }

    /// Total energy, J.
    pub fn total_joules(&self) -> f64 {
        self.total_pj() * 1e-12
    }

    /// Energy per component name, pJ (sorted by name).
    pub fn by_component(&self) -> BTreeMap<String, f64> {
        let mut m = BTreeMap::new();
        for r in &self.rows {
            *m.entry(r.component.clone()).or_insert(0.0) += r.pj;
        }
        m
    }

    /// Energy per action name over all components, pJ (sorted by name).
    pub fn by_action(&self) -> BTreeMap<String, f64> {
        let mut m = BTreeMap::new();
        for r in &self.rows {
            *m.entry(r.action.clone()).or_insert(0.0) += r.pj;
        }
        m
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn breakdowns_add_up() {
        let mut e = EnergyLedger::new();
        let (pe, buf) = (CompId(0), CompId(1));
        let mac = e.define_action(pe, "pe", "mac", 0.2).unwrap();
        let rd = e.define_action(buf, "gb", "read", 10.0).unwrap();
        let rd2 = e.define_action(pe, "pe", "read", 1.0).unwrap();
        e.record(mac, 10); // 2 pJ
        e.record(rd, 3); // 30 pJ
        e.record(rd2, 4); // 4 pJ
        e.set_leakage_mw(buf, "gb", 1.0); // 1 mW × 1000 ps = 1 pJ
        let r = e.report(Time::from_ns(1));
        assert!((r.total_pj() - 37.0).abs() < 1e-12);
        let bc = r.by_component();
        assert!((bc["pe"] - 6.0).abs() < 1e-12);
        assert!((bc["gb"] - 31.0).abs() < 1e-12);
        let ba = r.by_action();
        assert!((ba["read"] - 34.0).abs() < 1e-12);
        assert!((ba["leakage"] - 1.0).abs() < 1e-12);
    }

    #[test]
    fn redefinition_rules() {
        let mut e = EnergyLedger::new();
        let a = e.define_action(CompId(0), "pe", "mac", 0.2).unwrap();
        assert_eq!(e.define_action(CompId(0), "pe", "mac", 0.2).unwrap(), a);
        assert!(e.define_action(CompId(0), "pe", "mac", 0.3).is_err());
        assert!(e.define_action(CompId(0), "pe", "x", -1.0).is_err());
        assert!(e.define_action(CompId(0), "pe", "y", f64::NAN).is_err());
    }
}
